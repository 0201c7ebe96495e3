// Finding people: to start a direct message with someone, by part of their name.
import type { Sql } from "../db/sql";
import { avatarUrl } from "./avatars";
import { findable } from "./names";
import type { Person } from "./schemas";

/** Users whose name contains `query` (any case), those starting with it first, then by name; not deactivated or deleted ones. */
export async function searchUsers(sql: Sql, query: string, limit: number): Promise<Person[]> {
  const rows = await sql<Omit<Person, "avatarUrl">[]>`
    select id, username from users u
    where strpos(lower(username), lower(${query})) > 0 and ${findable(sql, "u")}
    order by strpos(lower(username), lower(${query})) > 1, lower(username)
    limit ${limit}`;
  return rows.map((row) => ({ ...row, avatarUrl: avatarUrl(row.id) }));
}
