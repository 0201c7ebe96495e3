// Direct rooms: a private room of two people (one, to write notes to oneself), with no owner,
// so no invites and no removals; nobody else can join it. One per pair: the pair is unique in
// direct_rooms, so two people opening it at the same moment get the same room.
import type { Queries, Sql } from "../db/sql";
import { notFound } from "../errors";
import { findable } from "../people/names";
import { findVisibleRoom, type VisibleRoom } from "./rooms";

/** The other person of a direct room (yourself, in a room of your own). */
export async function directPartner(sql: Queries, roomId: string, userId: string): Promise<string | undefined> {
  const [pair] = await sql<{ partner: string }[]>`
    select case when user_low = ${userId} then user_high else user_low end as partner from direct_rooms where room_id = ${roomId}`;
  return pair?.partner;
}

/** The storing transaction lost the race for the pair to another: the room that one made is the room. */
class PairTaken extends Error {}

/**
 * The direct room of the user and the one named, made the first time (`created`). Both are
 * (again) its members: someone who left it is back when either opens it.
 */
export async function openDirectRoom(sql: Sql, userId: string, username: string): Promise<{ room: VisibleRoom; created: boolean }> {
  const [other] = await sql<{ id: string }[]>`select id from users u where lower(username) = lower(${username}) and ${findable(sql, "u")}`;
  if (!other) throw notFound("user_not_found", "no such user");
  const [low, high] = [userId, other.id].sort() as [string, string];
  const found = async () => (await sql<{ room_id: string }[]>`select room_id from direct_rooms where user_low = ${low} and user_high = ${high}`)[0]?.room_id;

  const existing = await found();
  const made = existing
    ? undefined
    : await sql
        .begin(async (tx) => {
          const [room] = await tx<{ id: string }[]>`insert into rooms (name, is_private, owner_id, kind) values ('', true, null, 'direct') returning id`;
          // Waits for a concurrent insert of the same pair to commit, then finds it taken.
          const stored = await tx`insert into direct_rooms (room_id, user_low, user_high) values (${room!.id}, ${low}, ${high}) on conflict do nothing returning room_id`;
          if (stored.count === 0) throw new PairTaken();
          return room!.id;
        })
        .catch((error) => {
          if (error instanceof PairTaken) return undefined;
          throw error;
        });
  const roomId = existing ?? made ?? (await found())!;
  await sql`
    insert into memberships (room_id, user_id, last_read_seq)
    select r.id, u.id, r.last_seq from rooms r, unnest(array[${low}, ${high}]::uuid[]) as u(id) where r.id = ${roomId}
    on conflict do nothing`;
  return { room: await findVisibleRoom(sql, userId, roomId), created: made !== undefined };
}
