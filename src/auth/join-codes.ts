// The join link: with REGISTRATION=link, an account can only be made with the current join
// code, which admins read and replace. There is one code at a time; it is made when first read.
import { randomBytes } from "node:crypto";
import type { Registration } from "../config";
import type { Queries, Sql } from "../db/sql";
import { forbidden } from "../errors";
import { requireAdmin } from "./admins";

const newCode = () => randomBytes(16).toString("base64url");

/** The current join code (an admin's). */
export async function currentJoinCode(sql: Sql, adminId: string): Promise<string> {
  await requireAdmin(sql, adminId);
  await sql`insert into join_code (code) values (${newCode()}) on conflict do nothing`;
  const [row] = await sql<{ code: string }[]>`select code from join_code`;
  return row!.code;
}

/** A new join code in place of the current one, which stops working at once (an admin's). */
export async function replaceJoinCode(sql: Sql, adminId: string): Promise<string> {
  await requireAdmin(sql, adminId);
  const [row] = await sql<{ code: string }[]>`
    insert into join_code (code) values (${newCode()})
    on conflict (singleton) do update set code = excluded.code, created_at = now()
    returning code`;
  return row!.code;
}

/** Whether a new account needs a join code: with REGISTRATION=link, every one but the first. */
export async function joinCodeRequired(sql: Sql, registration: Registration): Promise<boolean> {
  if (registration === "open") return false;
  const [row] = await sql<{ has_users: boolean }[]>`select exists (select 1 from users) as has_users`;
  return row!.has_users;
}

/** Whether this is the current join code. */
export async function isJoinCode(sql: Sql, code: string): Promise<boolean> {
  const [row] = await sql<{ valid: boolean }[]>`select exists (select 1 from join_code where code = ${code}) as valid`;
  return row!.valid;
}

/**
 * Refuses an account without the current join code, inside the transaction that makes it. The
 * first account needs none: without it, a server started with REGISTRATION=link could never
 * have an admin to hand out the link.
 */
export async function requireJoinCode(tx: Queries, code: string | undefined): Promise<void> {
  const [row] = await tx<{ has_users: boolean; valid: boolean }[]>`
    select exists (select 1 from users) as has_users, exists (select 1 from join_code where code = ${code ?? ""}) as valid`;
  if (!row!.has_users) return;
  if (code === undefined) throw forbidden("registration_closed", "this server is open only to people with a join link: ask one of its admins for it");
  if (!row!.valid) throw forbidden("registration_closed", "this join link is not valid (it may have been replaced): ask an admin for the current one");
}
