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

/**
 * Stores a message from a member and numbers it, in one statement: the room's counter is
 * incremented under its row lock and the row inserted with that number, so sends to one
 * room commit in seq order and a failed insert (a duplicate clientId) takes its number back.
 * Returns nothing when the sender is not a member of the room.
 */
export async function insertMessage(
  sql: Sql,
  message: { roomId: string; senderId: string; content: string; clientId: string | null },
): Promise<Message | undefined> {
  const [row] = await sql<MessageRow[]>`
    with room as (
      update rooms set last_seq = last_seq + 1
      where id = ${message.roomId}
        and exists (select 1 from memberships where room_id = ${message.roomId} and user_id = ${message.senderId})
      returning id, last_seq
    ), inserted as (
      insert into messages (room_id, seq, sender_id, client_id, content)
      select id, last_seq, ${message.senderId}, ${message.clientId}, ${message.content} from room
      returning *
    )
    select i.*, u.username from inserted i join users u on u.id = i.sender_id`;
  return row && toMessage(row);
}

export async function findByClientId(sql: Sql, senderId: string, clientId: string): Promise<Message | undefined> {
  const [row] = await sql<MessageRow[]>`
    select m.*, u.username from messages m join users u on u.id = m.sender_id
    where m.sender_id = ${senderId} and m.client_id = ${clientId}`;
  return row && toMessage(row);
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
