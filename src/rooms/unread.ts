// Unread is arithmetic on the log, not a scan. A member has read up to `last_read_seq`; the
// room's messages after it number `last_seq - last_read_seq` (seqs have no gaps), less the
// member's own and the deleted ones among them, each read from an index alone (migrations 0004
// and 0006). Mentions are an index range of their own table (a deleted message's are removed
// with its text), less those the member wrote themselves: their own messages after the marker,
// which writing in a room keeps near none. No count visits the messages of others: a member of
// 200 rooms with 10,000 unread in each costs short index ranges, not two million rows.
import type { Queries, Sql } from "../db/sql";
import type { NotifyLevel } from "./schemas";

export interface UnreadRow {
  last_read_seq: string;
  unread_count: string;
  mention_count: string;
}

/** unread_count and mention_count of the membership `ms` in room `r` (and its last_read_seq). */
export const unreadColumns = (sql: Queries) => sql`
  ms.last_read_seq,
  r.last_seq - ms.last_read_seq
    - (select count(*) from messages o where o.sender_id = ms.user_id and o.room_id = ms.room_id and o.seq > ms.last_read_seq)
    - (select count(*) from messages d
       where d.room_id = ms.room_id and d.seq > ms.last_read_seq and d.deleted_at is not null and d.sender_id <> ms.user_id)
    as unread_count,
  (select count(*) from mentions mn where mn.user_id = ms.user_id and mn.room_id = ms.room_id and mn.seq > ms.last_read_seq)
    - (select count(*) from messages o join mentions mn on mn.room_id = o.room_id and mn.seq = o.seq and mn.user_id = o.sender_id
       where o.sender_id = ms.user_id and o.room_id = ms.room_id and o.seq > ms.last_read_seq)
    as mention_count`;

export const toUnread = (row: UnreadRow) => ({
  lastReadSeq: Number(row.last_read_seq),
  unreadCount: Number(row.unread_count),
  mentionCount: Number(row.mention_count),
});

/** The effective notification level of membership `ms` in room `r`: its own, else the room's default. */
export const notifyLevel = (sql: Queries) => sql`coalesce(ms.notify, case when r.kind = 'direct' or r.is_private then 'all' else 'mentions' end)`;

/** Where a member stands in a room: what `roomActivity` tells them, and what notifies them. */
export interface Standing {
  roomId: string;
  userId: string;
  kind: "room" | "direct";
  /** The room's own name (a direct room's is empty: it is named after the other person). */
  name: string;
  lastSeq: number;
  lastReadSeq: number;
  unreadCount: number;
  mentionCount: number;
  notify: NotifyLevel;
}

/** Where the members of these rooms stand: all of them, or only `userIds`. (Ids are joined into one array parameter.) */
export async function standings(sql: Sql, roomIds: string[], userIds?: string[]): Promise<Standing[]> {
  const rows = await sql<(UnreadRow & { room_id: string; user_id: string; kind: Standing["kind"]; name: string; last_seq: string; notify: NotifyLevel })[]>`
    select ms.room_id, ms.user_id, r.kind, r.name, r.last_seq, ${notifyLevel(sql)} as notify, ${unreadColumns(sql)}
    from memberships ms join rooms r on r.id = ms.room_id
    where ms.room_id = any(string_to_array(${roomIds.join(",")}, ',')::uuid[])
    ${userIds ? sql`and ms.user_id = any(string_to_array(${userIds.join(",")}, ',')::uuid[])` : sql``}`;
  return rows.map((row) => ({
    roomId: row.room_id,
    userId: row.user_id,
    kind: row.kind,
    name: row.name,
    lastSeq: Number(row.last_seq),
    ...toUnread(row),
    notify: row.notify,
  }));
}
