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
  /** The sender's, as the session knows it: usernames never change, so no lookup is needed. */
  username: string;
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
 * counter is read and bumped once for all its messages under its row lock, taken in id order
 * so that two batches over the same rooms cannot deadlock; a room's messages therefore commit
 * in seq order, and a failed statement (a clientId raced in by another send) takes every number
 * back. Within a room, the batch's order is the seq order. Results are in the batch's order.
 *
 * The statement joins no two intermediate results with each other: each room's messages
 * travel as arrays, and every lookup goes through an index, so its cost grows with the batch.
 */
export async function storeMessages(sql: Sql, batch: NewMessage[]): Promise<Stored[]> {
  const input = batch.map((m, ord) => ({ ord, room_id: m.roomId, sender_id: m.senderId, client_id: m.clientId, content: m.content }));
  type Row = Partial<Omit<MessageRow, "username">> & { ord: number | null; member: boolean };
  const rows = await sql<Row[]>`
    with input as (
      select * from jsonb_to_recordset(${sql.json(input)}) as i(ord int, room_id uuid, sender_id uuid, client_id text, content text)
    ), checked as (
      select i.*,
             coalesce((select true from memberships ms where ms.room_id = i.room_id and ms.user_id = i.sender_id), false) as member,
             (select m.id from messages m where m.sender_id = i.sender_id and m.client_id = i.client_id) as earlier_id
      from input i
    ), grouped as (
      select room_id, array_agg(sender_id order by ord) as senders, array_agg(client_id order by ord) as client_ids, array_agg(content order by ord) as contents
      from checked where member and earlier_id is null
      group by room_id
    ), locked as (
      select g.*, r.last_seq from grouped g join rooms r on r.id = g.room_id order by r.id for update of r
    ), bumped as (
      update rooms r set last_seq = l.last_seq + cardinality(l.senders) from locked l where r.id = l.room_id
    ), inserted as (
      insert into messages (room_id, seq, sender_id, client_id, content)
      select l.room_id, l.last_seq + o.n, o.sender_id, o.client_id, o.content
      from locked l, unnest(l.senders, l.client_ids, l.contents) with ordinality as o(sender_id, client_id, content, n)
      returning *
    )
    select null::int as ord, true as member, i.*
    from inserted i
    union all
    select c.ord, c.member, m.*
    from checked c left join messages m on m.id = c.earlier_id`;

  // Each room's new rows, in seq order, go to its accepted sends, in the batch's order.
  const inserted = new Map<string, Row[]>();
  for (const row of rows.filter((row) => row.ord === null).sort((a, b) => Number(a.seq) - Number(b.seq))) {
    const room = inserted.get(row.room_id!);
    if (room) room.push(row);
    else inserted.set(row.room_id!, [row]);
  }
  const checked = rows.filter((row) => row.ord !== null).sort((a, b) => a.ord! - b.ord!);
  return checked.map((row): Stored => {
    const sent = batch[row.ord!]!;
    // An earlier message with this clientId is the same sender's, so it has the same username.
    const message = (stored: Row) => toMessage({ ...stored, username: sent.username } as MessageRow);
    if (row.id) return { outcome: "earlier", message: message(row), member: row.member };
    if (!row.member) return { outcome: "refused" };
    return { outcome: "stored", message: message(inserted.get(sent.roomId)!.shift()!) };
  });
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
