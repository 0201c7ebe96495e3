// Reading the message log: each room's messages numbered by `seq` without gaps, and each
// change to the room's log numbered by `rev`. A message is read with what its object sums up:
// the preview of the message it answers, its reactions and whom it mentions.
import { attachmentsOf, toAttachment } from "../attachments/uploads";
import type { Queries, Sql } from "../db/sql";
import { shownName } from "../people/names";
import type { Message } from "./schemas";

export interface MessageRow {
  id: string;
  room_id: string;
  seq: string;
  rev: string;
  sender_id: string;
  username: string;
  content: string;
  client_id: string | null;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
  reply_to: Message["replyTo"];
  reactions: Message["reactions"];
  mentions: string[];
  previews: Message["previews"];
  attachments: Omit<Message["attachments"][number], "url">[];
}

export const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  roomId: row.room_id,
  seq: Number(row.seq),
  rev: Number(row.rev),
  senderId: row.sender_id,
  username: row.username,
  content: row.content,
  clientId: row.client_id,
  createdAt: row.created_at.toISOString(),
  editedAt: row.edited_at?.toISOString() ?? null,
  deletedAt: row.deleted_at?.toISOString() ?? null,
  replyTo: row.reply_to,
  reactions: row.reactions,
  mentions: row.mentions,
  previews: row.previews,
  attachments: row.attachments.map(toAttachment),
});

/** The preview of the message that `m` answers, as JSON (null when it answers none). */
export const replyPreview = (sql: Queries) => sql`(
  select json_build_object('id', p.id, 'seq', p.seq, 'senderId', p.sender_id, 'username', ${shownName(sql, "pu")}, 'content', left(p.content, 200))
  from messages p join users pu on pu.id = p.sender_id where p.id = m.reply_to_id)`;

/** Every column of the message object, for rows `m` of messages. */
export const MESSAGE = (sql: Queries) => sql`
  select m.id, m.room_id, m.seq, m.rev, m.sender_id, ${shownName(sql, "u")} as username, m.content, m.client_id, m.created_at, m.edited_at, m.deleted_at, m.previews,
         ${replyPreview(sql)} as reply_to,
         coalesce((
           select json_agg(json_build_object('emoji', r.emoji, 'count', r.count, 'userIds', r.user_ids) order by r.first_use)
           from (select emoji, count(*) as count, json_agg(user_id order by created_order) as user_ids, min(created_order) as first_use
                 from reactions where message_id = m.id group by emoji) r
         ), '[]') as reactions,
         coalesce((select json_agg(mn.user_id order by mn.user_id) from mentions mn where mn.room_id = m.room_id and mn.seq = m.seq), '[]') as mentions,
         ${attachmentsOf(sql)} as attachments
  from messages m join users u on u.id = m.sender_id`;

/** Messages with after < seq < before, the `limit` nearest to `after` if given, else to `before`; oldest first. */
export async function listMessages(sql: Sql, roomId: string, range: { after?: number; before?: number; limit: number }): Promise<Message[]> {
  const after = range.after ?? 0;
  const before = range.before ?? Number.MAX_SAFE_INTEGER;
  const rows =
    range.after !== undefined
      ? await sql<MessageRow[]>`${MESSAGE(sql)}
          where m.room_id = ${roomId} and m.seq > ${after} and m.seq < ${before}
          order by m.seq limit ${range.limit}`
      : await sql<MessageRow[]>`select * from (${MESSAGE(sql)}
            where m.room_id = ${roomId} and m.seq < ${before}
            order by m.seq desc limit ${range.limit}
          ) newest order by seq`;
  return rows.map(toMessage);
}

/** Every committed message with after < seq < before, oldest first (read in pages). */
export async function loadMessages(sql: Sql, roomId: string, after: number, before: number): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const page = await listMessages(sql, roomId, { after, before, limit: LOAD_PAGE });
    all.push(...page);
    if (page.length < LOAD_PAGE) return all;
    after = page.at(-1)!.seq;
  }
}
const LOAD_PAGE = 1000;

/** The current state of the messages with rev > since (and seq <= maxSeq), the `limit` lowest revs, in rev order. */
export async function listChanges(sql: Sql, roomId: string, since: number, limit: number, maxSeq = Number.MAX_SAFE_INTEGER): Promise<Message[]> {
  const rows = await sql<MessageRow[]>`${MESSAGE(sql)}
    where m.room_id = ${roomId} and m.rev > ${since} and m.seq <= ${maxSeq}
    order by m.rev limit ${limit}`;
  return rows.map(toMessage);
}

/** Every message changed since rev `since` (with seq <= maxSeq), in its current state, in rev order (read in pages). */
export async function loadChanges(sql: Sql, roomId: string, since: number, maxSeq?: number): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const page = await listChanges(sql, roomId, since, LOAD_PAGE, maxSeq);
    all.push(...page);
    if (page.length < LOAD_PAGE) return all;
    since = page.at(-1)!.rev;
  }
}

/** The messages with these ids, by id. (The ids are UUIDs, joined into one array parameter.) */
export async function readMessages(sql: Queries, ids: string[]): Promise<Map<string, Message>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<MessageRow[]>`${MESSAGE(sql)} where m.id = any(string_to_array(${ids.join(",")}, ',')::uuid[])`;
  return new Map(rows.map((row) => [row.id, toMessage(row)]));
}
