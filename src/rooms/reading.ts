// Reading: a member's read marker (where they have read up to, which they may also move back
// to mark messages unread again) and their notification level.
import type { Broadcasts } from "../broadcasts";
import type { Sql } from "../db/sql";
import { badRequest, forbidden } from "../errors";
import { directPartner } from "./direct";
import { requireMember } from "./rooms";
import type { NotifyLevel, Unread } from "./schemas";
import { toUnread, type UnreadRow, unreadColumns } from "./unread";

export interface ReadingDeps {
  sql: Sql;
  broadcasts: Pick<Broadcasts, "readMoved">;
}

/**
 * Sets the member's read marker to `seq` (0 to the room's last seq; with `onlyForward`, only if
 * that is past it) and answers what is left unread. When it moved, the member's sockets
 * everywhere hear it (other tabs and devices clear their badges), and in a direct room so does
 * the other person: a read receipt.
 */
export async function markRead({ sql, broadcasts }: ReadingDeps, userId: string, roomId: string, seq: number, onlyForward = false): Promise<Unread> {
  const room = await requireMember(sql, userId, roomId);
  if (seq > room.lastSeq) throw badRequest("seq_out_of_range", `seq must be from 0 to the room's last seq, ${room.lastSeq}`);
  const [row] = await sql<(UnreadRow & { previous: string })[]>`
    with previous as (
      select last_read_seq from memberships where room_id = ${roomId} and user_id = ${userId}
    ), ms as (
      update memberships set last_read_seq = ${onlyForward ? sql`greatest(last_read_seq, ${seq})` : seq}
      where room_id = ${roomId} and user_id = ${userId}
      returning *
    )
    select (select last_read_seq from previous) as previous, ${unreadColumns(sql)}
    from ms join rooms r on r.id = ms.room_id`;
  if (!row) throw forbidden("not_a_member", "join the room first"); // left it since the check
  const unread = { roomId, ...toUnread(row) };
  if (Number(row.previous) !== unread.lastReadSeq) {
    const partner = room.kind === "direct" ? await directPartner(sql, roomId, userId) : undefined;
    broadcasts.readMoved({ ...unread, userId }, partner ? [partner] : []);
  }
  return unread;
}

/** Sets the member's notification level in the room. */
export async function setNotifyLevel(sql: Sql, userId: string, roomId: string, level: NotifyLevel): Promise<{ roomId: string; notify: NotifyLevel }> {
  await requireMember(sql, userId, roomId);
  await sql`update memberships set notify = ${level} where room_id = ${roomId} and user_id = ${userId}`;
  return { roomId, notify: level };
}
