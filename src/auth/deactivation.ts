// Deactivating an account: it keeps everything (rooms, messages, its name in lists) but can
// no longer sign in, and whatever it had open ends at once, on every instance.

import { conflict } from "../errors";
import { endAllSessions, type SessionEnding } from "./accounts";
import { findAccount, keepAnAdmin, requireAdmin } from "./admins";
import type { Account } from "./schemas";

/**
 * Ends every session and socket of the account and stops it signing in (an admin's). Its push
 * subscriptions go too: a deactivated account must not go on reading its rooms on a lock
 * screen. Never the admin's own account, nor the last admin.
 */
export async function deactivate(deps: SessionEnding, adminId: string, userId: string): Promise<Account> {
  await requireAdmin(deps.sql, adminId);
  if (userId === adminId) throw conflict("own_account", "you cannot deactivate your own account");
  await findAccount(deps.sql, userId);
  await endAllSessions(deps, userId, async (tx) => {
    await keepAnAdmin(tx, userId, adminId);
    await tx`update users set deactivated_at = coalesce(deactivated_at, now()) where id = ${userId}`;
    await tx`delete from push_subscriptions where user_id = ${userId}`;
  });
  return findAccount(deps.sql, userId);
}

/** The account may sign in again (an admin's); its old sessions stay ended. */
export async function reactivate(deps: SessionEnding, adminId: string, userId: string): Promise<Account> {
  await requireAdmin(deps.sql, adminId);
  await findAccount(deps.sql, userId);
  await deps.sql`update users set deactivated_at = null where id = ${userId} and deleted_at is null`;
  return findAccount(deps.sql, userId);
}
