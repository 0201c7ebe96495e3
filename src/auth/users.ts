// The user object, as every answer about an account gives it.
import type { Queries } from "../db/sql";
import { notFound } from "../errors";
import { avatarUrl } from "../people/avatars";
import type { User } from "./schemas";

export interface UserRow {
  id: string;
  username: string;
  created_at: Date;
  is_admin: boolean;
}

export const toUser = (row: UserRow): User => ({
  id: row.id,
  username: row.username,
  createdAt: row.created_at.toISOString(),
  isAdmin: row.is_admin,
  avatarUrl: avatarUrl(row.id),
});

/** The user object of an account that is not deleted (GET /me). */
export async function findUser(sql: Queries, userId: string): Promise<User> {
  const [row] = await sql<UserRow[]>`select id, username, created_at, is_admin from users where id = ${userId} and deleted_at is null`;
  if (!row) throw notFound("user_not_found", "no such user");
  return toUser(row);
}
