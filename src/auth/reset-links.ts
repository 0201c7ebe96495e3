// One-time links to set a new password, for a server without e-mail: an admin makes one and
// hands it over by any channel. The token is the link's last path segment; only its SHA-256
// is stored. A link works once, for 24 hours, and a newer one for the same account replaces it.
import { createHash, randomBytes } from "node:crypto";
import type { Sql } from "../db/sql";
import { badRequest } from "../errors";
import { type Accounts, endAllSessions, hashPassword, type SessionEnding } from "./accounts";
import { requireAdmin, userNotFound } from "./admins";

export const RESET_LINK_LIFETIME_MS = 24 * 60 * 60 * 1000;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");
const linkUsed = () => badRequest("reset_link_used", "this reset link was used already: ask an admin for a new one");

/** A new link for the account (an admin's); an earlier one for it stops working. */
export async function issueResetLink(sql: Sql, adminId: string, userId: string): Promise<{ token: string; expiresAt: Date }> {
  await requireAdmin(sql, adminId);
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + RESET_LINK_LIFETIME_MS);
  const issued = await sql.begin(async (tx) => {
    const [user] = await tx`select 1 from users where id = ${userId} and deleted_at is null for update`;
    if (!user) return false;
    await tx`delete from reset_tokens where user_id = ${userId}`;
    await tx`insert into reset_tokens (token_hash, user_id, expires_at) values (${hashOf(token)}, ${userId}, ${expiresAt})`;
    return true;
  });
  if (!issued) throw userNotFound();
  return { token, expiresAt };
}

/** The account a link is for, while the link can still be used; else why it cannot. */
export async function resetLinkAccount(sql: Sql, token: string): Promise<{ userId: string; username: string }> {
  const [link] = await sql<{ user_id: string; username: string; used: boolean; expired: boolean }[]>`
    select t.user_id, u.username, t.used_at is not null as used, t.expires_at <= now() as expired
    from reset_tokens t join users u on u.id = t.user_id
    where t.token_hash = ${hashOf(token)} and u.deleted_at is null`;
  if (!link) throw badRequest("reset_link_unknown", "this reset link is not valid: check that it was copied whole, or ask an admin for a new one");
  if (link.used) throw linkUsed();
  if (link.expired) throw badRequest("reset_link_expired", "this reset link has expired: ask an admin for a new one");
  return { userId: link.user_id, username: link.username };
}

/**
 * Sets the new password and uses the link up; every session of the account ends, sockets
 * too. Of two uses at the same moment, one succeeds.
 */
export async function resetPassword(accounts: Accounts & SessionEnding, token: string, newPassword: string): Promise<{ username: string }> {
  const { userId, username } = await resetLinkAccount(accounts.sql, token);
  const hash = await hashPassword(newPassword, accounts.auth);
  await endAllSessions(accounts, userId, async (tx) => {
    const used = await tx`
      update reset_tokens set used_at = now() where token_hash = ${hashOf(token)} and used_at is null and expires_at > now()`;
    if (used.count === 0) throw linkUsed();
    await tx`update users set password_hash = ${hash} where id = ${userId}`;
  });
  return { username };
}
