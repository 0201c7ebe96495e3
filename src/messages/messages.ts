// The message log: one row per message, numbered per room by `seq` without gaps.
import type { Sql } from "../db/sql";
import type { Message } from "./schemas";

interface MessageRow {
  id: string;
  room_id: string;
  seq: string;
  sender_id: string;
  username: string;
  content: string;
  client_id: string | null;
  created_at: Date;
}

const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  roomId: row.room_id,
  seq: Number(row.seq),
  senderId: row.sender_id,
  username: row.username,
  content: row.content,
  clientId: row.client_id,
  createdAt: row.created_at.toISOString(),
});

export interface NewMessage {
  roomId: string;
  senderId: string;
  content: string;
  clientId: string | null;
}

/** What became of one message of a batch. */
export type Stored =
  | { outcome: "stored"; message: Message }
  /** Its clientId was used before: the message stored then, and whether the sender is still a member of this room. */
  | { outcome: "earlier"; message: Message; member: boolean }
  /** The sender is not a member of the room, or there is no such room. */
  | { outcome: "refused" };

/**
 * Stores a batch of messages in one statement, so one round trip and one commit: messages
 * whose clientId is new and whose sender is a member are numbered and inserted. Each room's
 * counter is bumped once for all its messages under its row lock, taken in id order so that
 * two batches over the same rooms cannot deadlock; a room's messages therefore commit in seq
 * order, and a failed statement (a clientId raced in by another send) takes every number back.
 * Within a room, the batch's order is the seq order. Results are in the batch's order.
 */
export async function storeMessages(sql: Sql, batch: NewMessage[]): Promise<Stored[]> {
  const input = batch.map((m, ord) => ({ ord, room_id: m.roomId, sender_id: m.senderId, client_id: m.clientId, content: m.content }));
  const rows = await sql<(MessageRow & { ord: number; earlier: boolean; member: boolean })[]>`
    with input as (
      select * from jsonb_to_recordset(${sql.json(input)}) as i(ord int, room_id uuid, sender_id uuid, client_id text, content text)
    ), membered as (
      select i.*, exists (select 1 from memberships ms where ms.room_id = i.room_id and ms.user_id = i.sender_id) as member,
             (select m.id from messages m where m.sender_id = i.sender_id and m.client_id = i.client_id) as earlier_id
      from input i
    ), allowed as (
      select * from membered where member and earlier_id is null
    ), locked as (
      select r.id from rooms r where r.id in (select room_id from allowed) order by r.id for update
    ), bumped as (
      update rooms r set last_seq = r.last_seq + c.n
      from (select room_id, count(*) as n from allowed group by room_id) c, locked l
      where r.id = c.room_id and l.id = c.room_id
      returning r.id, r.last_seq - c.n as base
    ), numbered as (
      select a.*, b.base + row_number() over (partition by a.room_id order by a.ord) as seq
      from allowed a join bumped b on b.id = a.room_id
    ), inserted as (
      insert into messages (room_id, seq, sender_id, client_id, content)
      select room_id, seq, sender_id, client_id, content from numbered
      returning *
    )
    select n.ord, false as earlier, true as member, i.*, u.username
    from inserted i join numbered n on n.room_id = i.room_id and n.seq = i.seq join users u on u.id = i.sender_id
    union all
    select e.ord, true, e.member, m.*, u.username
    from membered e join messages m on m.id = e.earlier_id join users u on u.id = m.sender_id`;
  const results: Stored[] = batch.map(() => ({ outcome: "refused" }));
  for (const row of rows) {
    results[row.ord] = row.earlier ? { outcome: "earlier", message: toMessage(row), member: row.member } : { outcome: "stored", message: toMessage(row) };
  }
  return results;
}

/** Messages with after < seq < before, the `limit` nearest to `after` if given, else to `before`; oldest first. */
export async function listMessages(
  sql: Sql,
  roomId: string,
  range: { after?: number; before?: number; limit: number },
): Promise<Message[]> {
  const after = range.after ?? 0;
  const before = range.before ?? Number.MAX_SAFE_INTEGER;
  const rows =
    range.after !== undefined
      ? await sql<MessageRow[]>`
          select m.*, u.username from messages m join users u on u.id = m.sender_id
          where m.room_id = ${roomId} and m.seq > ${after} and m.seq < ${before}
          order by m.seq limit ${range.limit}`
      : await sql<MessageRow[]>`
          select * from (
            select m.*, u.username from messages m join users u on u.id = m.sender_id
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
