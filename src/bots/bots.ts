// Bots: users that programs drive. A site admin makes one; it authenticates with its API token
// (it has no password), and when its webhook URL is set, the messages that mention it or are
// written to it in its direct room are POSTed there (src/bots/outbox.ts).
import { randomBytes } from "node:crypto";
import { createApiToken } from "../auth/api-tokens";
import type { User } from "../auth/schemas";
import { toUser } from "../auth/users";
import type { Sql } from "../db/sql";
import { badRequest, conflict } from "../errors";
import { FetchRefused, type Guard, resolveAllowed, urlProblem } from "../net/guarded-fetch";

export interface Bot {
  user: User;
  webhookUrl: string | null;
}

/** Bots and webhooks have no password: nothing verifies against this. */
export const NO_PASSWORD = "!";

/**
 * Makes a bot with its token (shown once) and the secret its deliveries are signed with. A
 * webhook URL must be http(s) and, unless private addresses are allowed, resolve to public
 * addresses only; it is checked again on every delivery, since a name can change.
 */
export async function createBot(
  sql: Sql,
  username: string,
  webhookUrl: string | undefined,
  guard: Pick<Guard, "addressAllowed">,
): Promise<Bot & { token: string; secret: string }> {
  if (webhookUrl !== undefined) await requireDeliverable(webhookUrl, guard);
  const secret = randomBytes(32).toString("base64url");
  const made = await sql.begin(async (tx) => {
    const [user] = await tx<{ id: string; username: string; created_at: Date }[]>`
      insert into users (username, password_hash, kind) values (${username}, ${NO_PASSWORD}, 'bot')
      on conflict ((lower(username))) do nothing
      returning id, username, created_at`;
    if (!user) return undefined;
    await tx`insert into bots (user_id, webhook_url, secret) values (${user.id}, ${webhookUrl ?? null}, ${secret})`;
    const { token } = await createApiToken(tx, user.id, "bot");
    return { user, token };
  });
  if (!made) throw conflict("username_taken", "that username is taken");
  return { user: toUser({ ...made.user, is_admin: false }), webhookUrl: webhookUrl ?? null, token: made.token, secret };
}

async function requireDeliverable(webhookUrl: string, guard: Pick<Guard, "addressAllowed">): Promise<void> {
  const problem = urlProblem(webhookUrl);
  if (problem) throw badRequest("invalid_webhook_url", `webhookUrl ${problem}`);
  try {
    await resolveAllowed(new URL(webhookUrl).hostname, guard);
  } catch (error) {
    if (error instanceof FetchRefused) throw badRequest("invalid_webhook_url", `webhookUrl: ${error.message} (WEBHOOK_ALLOW_PRIVATE=true allows private addresses)`);
    throw error;
  }
}

export async function listBots(sql: Sql): Promise<Bot[]> {
  const rows = await sql<{ id: string; username: string; created_at: Date; webhook_url: string | null }[]>`
    select u.id, u.username, u.created_at, b.webhook_url from bots b join users u on u.id = b.user_id order by u.created_at, u.id`;
  return rows.map((row) => ({ user: toUser({ ...row, is_admin: false }), webhookUrl: row.webhook_url }));
}
