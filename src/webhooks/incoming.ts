// Incoming webhooks: a secret URL that posts in one room. Each webhook is a user of its own (of
// kind 'webhook', with no password), a member of the room, named as the webhook: its messages
// are messages like any other, with a real sender id and username, stored and broadcast through
// the same send path, and limited like any sender's. The secret is the URL's last segment; only
// its hash is stored (src/auth/secrets.ts). Revoking deletes the webhook and its membership: the
// URL stops at once, and the messages it posted stay.
import { hashSecret, newSecret } from "../auth/secrets";
import { NO_PASSWORD } from "../bots/bots";
import type { Sql } from "../db/sql";
import { conflict, notFound } from "../errors";
import { type SendDeps, type Sent, sendMessage } from "../messages/send";
import { findManagedRoom } from "../rooms/rooms";

export interface Webhook {
  id: string;
  name: string;
  createdAt: string;
}

interface WebhookRow {
  id: string;
  name: string;
  created_at: Date;
}

const toWebhook = (row: WebhookRow): Webhook => ({ id: row.id, name: row.name, createdAt: row.created_at.toISOString() });

/** Makes a webhook for the room (its manager only); the secret is in the answer only. */
export async function createWebhook(sql: Sql, userId: string, roomId: string, name: string): Promise<Webhook & { secret: string }> {
  await findManagedRoom(sql, userId, roomId);
  const { secret, hash } = newSecret();
  const row = await sql.begin(async (tx) => {
    const [user] = await tx<{ id: string }[]>`
      insert into users (username, password_hash, kind) values (${name}, ${NO_PASSWORD}, 'webhook')
      on conflict ((lower(username))) do nothing returning id`;
    if (!user) return undefined;
    await tx`insert into memberships (room_id, user_id, last_read_seq) select id, ${user.id}, last_seq from rooms where id = ${roomId}`;
    const [hook] = await tx<WebhookRow[]>`
      insert into room_webhooks (room_id, user_id, name, secret_hash, created_by) values (${roomId}, ${user.id}, ${name}, ${hash}, ${userId})
      returning id, name, created_at`;
    return hook;
  });
  if (!row) throw conflict("username_taken", "a webhook posts as a user of its name, and that username is taken");
  return { ...toWebhook(row), secret };
}

export async function listWebhooks(sql: Sql, userId: string, roomId: string): Promise<Webhook[]> {
  await findManagedRoom(sql, userId, roomId);
  const rows = await sql<WebhookRow[]>`select id, name, created_at from room_webhooks where room_id = ${roomId} order by created_at, id`;
  return rows.map(toWebhook);
}

/** Revokes the webhook: its URL stops at once. */
export async function deleteWebhook(sql: Sql, userId: string, roomId: string, webhookId: string): Promise<void> {
  await findManagedRoom(sql, userId, roomId);
  const [gone] = await sql<{ user_id: string }[]>`
    with gone as (delete from room_webhooks where id = ${webhookId} and room_id = ${roomId} returning user_id),
    left_room as (delete from memberships m using gone where m.room_id = ${roomId} and m.user_id = gone.user_id)
    select user_id from gone`;
  if (!gone) throw notFound("webhook_not_found", "no such webhook in this room");
}

/** Posts `content` in the webhook's room, as the webhook. */
export async function postThroughWebhook(deps: SendDeps, secret: string, content: string): Promise<Sent> {
  const [hook] = await deps.sql<{ room_id: string; user_id: string; name: string }[]>`
    select room_id, user_id, name from room_webhooks where secret_hash = ${hashSecret(secret)}`;
  if (!hook) throw notFound("webhook_not_found", "no such webhook: it may have been revoked");
  return sendMessage(deps, { userId: hook.user_id, username: hook.name }, { roomId: hook.room_id, content });
}
