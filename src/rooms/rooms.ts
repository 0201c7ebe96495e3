// Rooms and who is in them. Membership is the lock: a private room is looked up through
// the caller's membership, so to anyone else it answers exactly like a room that does not
// exist, and every other feature asks these functions first.

import type { Broadcasts, LeaveReason } from "../broadcasts";
import type { Queries, Sql } from "../db/sql";
import { conflict, forbidden, notFound } from "../errors";
import { avatarUrl } from "../people/avatars";
import { findable, shownName } from "../people/names";
import { requireManager } from "./managers";
import type { Member, NotifyLevel, Room, RoomKind, RoomListItem } from "./schemas";
import { notifyLevel, toUnread, type UnreadRow, unreadColumns } from "./unread";

interface RoomRow {
  id: string;
  name: string;
  is_private: boolean;
  owner_id: string | null;
  created_at: Date;
  kind: RoomKind;
  topic: string | null;
  archived_at: Date | null;
}

/** A room as one user may see it, with where the user stands in it. */
export interface VisibleRoom extends Room {
  isMember: boolean;
  lastSeq: number;
  lastRev: number;
  /** The member's read marker and effective notification level; null for a non-member. */
  lastReadSeq: number | null;
  notify: NotifyLevel | null;
}

const toRoom = (row: RoomRow): Room => ({
  id: row.id,
  name: row.name,
  isPrivate: row.is_private,
  ownerId: row.owner_id,
  createdAt: row.created_at.toISOString(),
  kind: row.kind,
  topic: row.topic,
  archivedAt: row.archived_at?.toISOString() ?? null,
});

/** The room itself, without where the user stands in it: what the API answers. */
export const roomOf = ({ isMember, lastSeq, lastRev, lastReadSeq, notify, ...room }: VisibleRoom): Room => room;

const roomNotFound = () => notFound("room_not_found", "no such room");
/** An archived room is read-only: its log, and who may read it, no longer change. */
export const roomArchived = () => conflict("room_archived", "the room is archived: it is read-only");

/** How a room name is stored: without the whitespace around it, in one Unicode spelling (NFC). */
export const storedName = (name: string) => name.trim().normalize("NFC");

/** Columns of rooms `r` as `viewerId` sees them: a direct room is named after the other person (or oneself). */
const roomColumns = (sql: Queries, viewerId: string) => sql`
  r.id, r.is_private, r.owner_id, r.created_at, r.kind, r.last_seq, r.last_rev, r.topic, r.archived_at,
  case when r.kind = 'direct' then (
    select ${shownName(sql, "u")} from direct_rooms d
    join users u on u.id = case when d.user_low = ${viewerId} then d.user_high else d.user_low end
    where d.room_id = r.id
  ) else r.name end as name`;

interface ListedRow extends RoomRow, Partial<UnreadRow> {
  last_seq: string;
  peer_id: string | null;
  is_member: boolean;
  notify: NotifyLevel | null;
}

/** The rooms the user may see (public ones, and private ones they are in, not archived), with their unread counts where a member. */
export async function listRoomsFor(sql: Sql, userId: string): Promise<RoomListItem[]> {
  const rows = await sql<ListedRow[]>`
    select ${roomColumns(sql, userId)}, ms.user_id is not null as is_member, ${notifyLevel(sql)} as notify, ${unreadColumns(sql)},
           (select case when d.user_low = ${userId} then d.user_high else d.user_low end from direct_rooms d where r.kind = 'direct' and d.room_id = r.id) as peer_id
    from rooms r left join memberships ms on ms.room_id = r.id and ms.user_id = ${userId}
    where (not r.is_private or ms.user_id is not null) and r.archived_at is null
    order by r.created_at, r.created_order`;
  return rows.map((row) => {
    const room = { ...toRoom(row), isMember: row.is_member, ...(row.peer_id ? { peerAvatarUrl: avatarUrl(row.peer_id) } : {}) };
    if (!row.is_member) return room;
    return { ...room, lastSeq: Number(row.last_seq), ...toUnread(row as UnreadRow), notify: row.notify! };
  });
}

export async function createRoom(sql: Sql, ownerId: string, name: string, isPrivate: boolean): Promise<Room> {
  const [row] = await sql<RoomRow[]>`
    with room as (
      insert into rooms (name, is_private, owner_id) values (${storedName(name)}, ${isPrivate}, ${ownerId})
      returning id, name, is_private, owner_id, created_at, kind, topic, archived_at
    ), owner as (
      insert into memberships (room_id, user_id) select id, owner_id from room
    )
    select * from room`;
  return toRoom(row!);
}

/** The room if the user may see it (public, or a member); otherwise not found. */
export async function findVisibleRoom(sql: Queries, userId: string, roomId: string): Promise<VisibleRoom> {
  const [row] = await sql<(RoomRow & { is_member: boolean; last_seq: string; last_rev: string; last_read_seq: string | null; notify: NotifyLevel | null })[]>`
    select ${roomColumns(sql, userId)}, ms.user_id is not null as is_member, ms.last_read_seq, ${notifyLevel(sql)} as notify
    from rooms r left join memberships ms on ms.room_id = r.id and ms.user_id = ${userId}
    where r.id = ${roomId}`;
  if (!row || (row.is_private && !row.is_member)) throw roomNotFound();
  return {
    ...toRoom(row),
    isMember: row.is_member,
    lastSeq: Number(row.last_seq),
    lastRev: Number(row.last_rev),
    lastReadSeq: row.last_read_seq === null ? null : Number(row.last_read_seq),
    notify: row.notify,
  };
}

/** Passes for members; a private room is not found by anyone else, a public one forbidden. */
export async function requireMember(sql: Sql, userId: string, roomId: string): Promise<VisibleRoom> {
  const room = await findVisibleRoom(sql, userId, roomId);
  if (!room.isMember) throw forbidden("not_a_member", "join the room first");
  return room;
}

/** Refuses a room that is archived. */
export function requireOpen(room: Pick<Room, "archivedAt">): void {
  if (room.archivedAt !== null) throw roomArchived();
}

/** Joins a public room, or re-confirms a member of a private or archived one. Joining twice is fine. */
export async function joinRoom(sql: Sql, userId: string, roomId: string): Promise<VisibleRoom> {
  const room = await findVisibleRoom(sql, userId, roomId);
  if (room.isMember) return room;
  requireOpen(room);
  // A new member has read nothing yet, and the history before them is not "unread" either.
  await sql`
    insert into memberships (room_id, user_id, last_read_seq) select id, ${userId}, last_seq from rooms where id = ${roomId} and archived_at is null
    on conflict do nothing`;
  return findVisibleRoom(sql, userId, roomId);
}

/** Where an ended membership is stored, and who is told, so that the member's sockets leave the room. */
export interface MembershipDeps {
  sql: Sql;
  broadcasts: Pick<Broadcasts, "membershipEnded">;
}

/** Ends the caller's own membership; an owner who leaves hands the room on (see endMembership). */
export async function leaveRoom(deps: MembershipDeps, userId: string, roomId: string): Promise<void> {
  await requireMember(deps.sql, userId, roomId);
  await endMembership(deps, roomId, userId, "left");
}

/**
 * Deletes the membership; when it was the owner's, ownership passes to the member who joined
 * earliest, or to no one when none is left. Under the room's lock, so that the heir cannot be
 * leaving at the same moment. False when there was no such membership.
 */
async function endMembership({ sql, broadcasts }: MembershipDeps, roomId: string, userId: string, reason: LeaveReason): Promise<boolean> {
  const ended = await sql.begin(async (tx) => {
    await tx`select 1 from rooms where id = ${roomId} for update`;
    const gone = await tx`delete from memberships where room_id = ${roomId} and user_id = ${userId}`;
    await tx`
      update rooms r set owner_id = (
        select m.user_id from memberships m where m.room_id = r.id order by m.joined_at, m.user_id limit 1
      ) where r.id = ${roomId} and r.owner_id = ${userId}`;
    return gone.count > 0;
  });
  if (ended) broadcasts.membershipEnded(roomId, userId, reason);
  return ended;
}

/** The room, if the user may see it and manage it (src/rooms/managers.ts); otherwise not found, or forbidden. */
export async function findManagedRoom(sql: Sql, userId: string, roomId: string): Promise<VisibleRoom> {
  const room = await findVisibleRoom(sql, userId, roomId);
  await requireManager(sql, room, userId);
  return room;
}

/** Its owner or a site admin adds a user, found by username, to the room. Inviting a member again is fine. */
export async function invite(sql: Sql, managerId: string, roomId: string, username: string): Promise<Member> {
  requireOpen(await findManagedRoom(sql, managerId, roomId));
  const [member] = await sql<MemberRow[]>`
    with invitee as (select id from users u where lower(username) = lower(${username}) and ${findable(sql, "u")}),
    added as (
      insert into memberships (room_id, user_id, last_read_seq) select ${roomId}, i.id, r.last_seq from invitee i, rooms r where r.id = ${roomId} and r.archived_at is null
      on conflict do nothing
      returning last_read_seq
    )
    select u.id as user_id, u.username, coalesce(m.joined_at, now()) as joined_at, (select owner_id from rooms where id = ${roomId}) as owner_id,
           coalesce(m.last_read_seq, (select last_read_seq from added)) as last_read_seq
    from invitee i join users u on u.id = i.id
    left join memberships m on m.room_id = ${roomId} and m.user_id = u.id`;
  if (!member) throw notFound("user_not_found", "no such user");
  return toMember(member);
}

/** Its owner or a site admin removes a member; removing themselves is leaving. */
export async function removeMember(deps: MembershipDeps, managerId: string, roomId: string, memberId: string): Promise<void> {
  await findManagedRoom(deps.sql, managerId, roomId);
  const reason = memberId === managerId ? "left" : "removed";
  if (!(await endMembership(deps, roomId, memberId, reason))) throw notFound("member_not_found", "that user is not a member of this room");
}

interface MemberRow {
  user_id: string;
  username: string;
  joined_at: Date;
  owner_id: string | null;
  last_read_seq: string;
}

const toMember = (row: MemberRow): Member => ({
  userId: row.user_id,
  username: row.username,
  isOwner: row.user_id === row.owner_id,
  joinedAt: row.joined_at.toISOString(),
  lastReadSeq: Number(row.last_read_seq),
  avatarUrl: avatarUrl(row.user_id),
});

export async function listMembers(sql: Sql, userId: string, roomId: string): Promise<Member[]> {
  const room = await findVisibleRoom(sql, userId, roomId);
  const rows = await sql<MemberRow[]>`
    select m.user_id, u.username, m.joined_at, r.owner_id, m.last_read_seq
    from memberships m join users u on u.id = m.user_id join rooms r on r.id = m.room_id
    where m.room_id = ${roomId}
    order by m.joined_at, u.username`;
  return rows.map(toMember);
}

/** Where a room's log stands: its newest seq and its newest rev. */
export interface LogHead {
  seq: number;
  rev: number;
}

/** Where each room's log stands. (The ids are UUIDs, joined into one array parameter.) */
export async function logHeads(sql: Sql, roomIds: string[]): Promise<Map<string, LogHead>> {
  const rows = await sql<{ id: string; last_seq: string; last_rev: string }[]>`
    select id, last_seq, last_rev from rooms where id = any(string_to_array(${roomIds.join(",")}, ',')::uuid[])`;
  return new Map(rows.map((row) => [row.id, { seq: Number(row.last_seq), rev: Number(row.last_rev) }]));
}
