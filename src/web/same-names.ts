// Rooms may share a name (the API always allowed it, and its clients rely on that). Where a
// list shows two rooms of one name, each also shows its owner, so that people can tell them
// apart; the owners' names are read only when there is such a pair.
import type { Sql } from "../db/sql";
import type { RoomListItem } from "../rooms/schemas";

/**
 * A room as the pages list it: when another room listed has the same name, with its owner's
 * name (null: it has no owner).
 */
export type ListedRoom = RoomListItem & { ownerName?: string | null };

/** How two names compare for "the same": what a reader would not tell apart at a glance. */
export const nameKey = (name: string) => name.normalize("NFKC").toLocaleLowerCase();

export async function withOwnersWhereNamesRepeat(sql: Sql, rooms: RoomListItem[]): Promise<ListedRoom[]> {
  const counts = new Map<string, number>();
  for (const room of rooms) if (room.kind === "room") counts.set(nameKey(room.name), (counts.get(nameKey(room.name)) ?? 0) + 1);
  const ambiguous = rooms.filter((room) => room.kind === "room" && counts.get(nameKey(room.name))! > 1);
  if (ambiguous.length === 0) return rooms;
  const named = new Map((await withOwnerNames(sql, ambiguous)).map((room) => [room.id, room]));
  return rooms.map((room) => named.get(room.id) ?? room);
}

/** The rooms, each with its owner's name (null: no owner). */
export async function withOwnerNames(sql: Sql, rooms: RoomListItem[]): Promise<ListedRoom[]> {
  const ownerIds = [...new Set(rooms.flatMap((room) => (room.ownerId ? [room.ownerId] : [])))];
  const owners =
    ownerIds.length === 0
      ? []
      : await sql<{ id: string; username: string }[]>`
    select id, username from users where id = any(string_to_array(${ownerIds.join(",")}, ',')::uuid[])`;
  const names = new Map(owners.map((owner) => [owner.id, owner.username]));
  return rooms.map((room) => ({ ...room, ownerName: (room.ownerId && names.get(room.ownerId)) || null }));
}
