// Site admins. Being one is read from the database on each use rather than carried in the
// session: admin actions are rare, and a removed admin must lose the power at once.
import type { Queries, Sql } from "../db/sql";
import { conflict, forbidden, notFound } from "../errors";
import type { Account } from "./schemas";
import { toUser, type UserRow } from "./users";

export async function isAdmin(sql: Queries, userId: string): Promise<boolean> {
  const [row] = await sql<{ is_admin: boolean }[]>`select is_admin from users where id = ${userId}`;
  return row?.is_admin ?? false;
}

export async function requireAdmin(sql: Queries, userId: string): Promise<void> {
  if (!(await isAdmin(sql, userId))) throw forbidden("not_admin", "only a site admin may do that");
}

export const userNotFound = () => notFound("user_not_found", "no such user");

/**
 * Inside a transaction that may take an admin away (deactivating, deleting, removing the
 * flag): such changes take turns, so that two admins removing each other at the same moment
 * cannot leave the server without one who can sign in. `actorId`, when given, must still be
 * an admin by then.
 */
export async function keepAnAdmin(tx: Queries, losing: string, actorId?: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext('chatloop.admins'))`;
  const active = tx`is_admin and deactivated_at is null and deleted_at is null`;
  const [row] = await tx<{ losing_is_admin: boolean; others: number }[]>`
    select exists (select 1 from users where id = ${losing} and ${active}) as losing_is_admin,
           (select count(*)::int from users where id <> ${losing} and ${active}) as others`;
  if (actorId !== undefined) await requireAdmin(tx, actorId);
  if (row!.losing_is_admin && row!.others === 0) {
    throw conflict("last_admin", "that would leave the server without an admin: make someone else an admin first");
  }
}

/** A page of accounts, and the username the next page starts after, if there is one. */
export interface AccountsPage {
  accounts: Account[];
  next?: string;
}

interface AccountRow extends UserRow {
  deactivated: boolean;
}

const toAccount = (row: AccountRow): Account => ({ ...toUser(row), deactivated: row.deactivated });

const ACCOUNT = (sql: Queries) => sql`select id, username, created_at, is_admin, deactivated_at is not null as deactivated from users`;

/** An account as admins see it; a deleted one is no longer there. */
export async function findAccount(sql: Queries, userId: string): Promise<Account> {
  const [row] = await sql<AccountRow[]>`${ACCOUNT(sql)} where id = ${userId} and deleted_at is null`;
  if (!row) throw userNotFound();
  return toAccount(row);
}

/**
 * Accounts whose username contains `query` (any case), by username, a page at a time: `after`
 * is the last username of the page before. Deleted accounts are left out.
 */
export async function listAccounts(sql: Sql, adminId: string, page: { query: string; after?: string; limit: number }): Promise<AccountsPage> {
  await requireAdmin(sql, adminId);
  const rows = await sql<AccountRow[]>`${ACCOUNT(sql)}
    where deleted_at is null and strpos(lower(username), lower(${page.query})) > 0
      ${page.after === undefined ? sql`` : sql`and lower(username) > lower(${page.after})`}
    order by lower(username)
    limit ${page.limit + 1}`;
  const accounts = rows.slice(0, page.limit).map(toAccount);
  return { accounts, next: rows.length > page.limit ? accounts.at(-1)!.username : undefined };
}

/** Makes someone an admin, or no longer one, never leaving the server without one (an admin's). */
export async function setAdmin(sql: Sql, adminId: string, userId: string, admin: boolean): Promise<Account> {
  await requireAdmin(sql, adminId);
  return sql.begin(async (tx) => {
    await findAccount(tx, userId);
    if (!admin) await keepAnAdmin(tx, userId, adminId);
    await tx`update users set is_admin = ${admin} where id = ${userId}`;
    return findAccount(tx, userId);
  });
}
