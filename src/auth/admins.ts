// Site admins. Being one is read from the database on each use rather than carried in the
// session: admin actions are rare, and a removed admin must lose the power at once.
import type { Sql } from "../db/sql";
import { forbidden } from "../errors";

export async function isAdmin(sql: Sql, userId: string): Promise<boolean> {
  const [row] = await sql<{ is_admin: boolean }[]>`select is_admin from users where id = ${userId}`;
  return row?.is_admin ?? false;
}

export async function requireAdmin(sql: Sql, userId: string): Promise<void> {
  if (!(await isAdmin(sql, userId))) throw forbidden("not_admin", "only a site admin may do that");
}
