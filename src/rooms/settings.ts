// A room's settings, changed by those who manage it (src/rooms/managers.ts): its name and
// topic, and archiving it. Every member hears of a change at once (`roomUpdated`), so that
// their sidebars and room headers follow without a reload.
import type { Broadcasts } from "../broadcasts";
import type { Sql } from "../db/sql";
import { findManagedRoom, findVisibleRoom, requireOpen, roomArchived, roomOf, storedName } from "./rooms";
import type { Room, UpdateRoom } from "./schemas";

export interface SettingsDeps {
  sql: Sql;
  broadcasts: Pick<Broadcasts, "roomChanged">;
}

/** The topic as stored: trimmed, and none rather than blank. */
const storedTopic = (topic: string | null) => (topic?.trim() ? topic.trim().normalize("NFC") : null);

/** Renames the room and/or sets its topic; what is left out stays. The same values again change nothing. */
export async function updateRoom(deps: SettingsDeps, userId: string, roomId: string, changes: UpdateRoom): Promise<Room> {
  const room = await findManagedRoom(deps.sql, userId, roomId);
  requireOpen(room);
  const name = changes.name === undefined ? room.name : storedName(changes.name);
  const topic = changes.topic === undefined ? room.topic : storedTopic(changes.topic);
  if (name === room.name && topic === room.topic) return roomOf(room);
  // Only the fields given are written, so that a rename and a topic set at once both stay.
  const updated = await deps.sql`
    update rooms set
      name = case when ${changes.name !== undefined} then ${name}::text else name end,
      topic = case when ${changes.topic !== undefined} then ${topic}::text else topic end
    where id = ${roomId} and archived_at is null`;
  if (updated.count === 0) throw roomArchived(); // archived meanwhile
  return announce(deps, userId, roomId);
}

/** Archives the room: read-only and out of every list, its history kept. Archiving twice is no error. */
export async function archiveRoom(deps: SettingsDeps, userId: string, roomId: string): Promise<Room> {
  const room = await findManagedRoom(deps.sql, userId, roomId);
  if (room.archivedAt !== null) return roomOf(room);
  // Takes the room's row lock, so it waits for sends and changes in flight; those that come
  // after find the room archived (src/messages/store.ts, src/messages/change.ts).
  await deps.sql`update rooms set archived_at = now() where id = ${roomId} and archived_at is null`;
  return announce(deps, userId, roomId);
}

/** The room as it is now, told to every member's sockets (and the manager's own). */
async function announce(deps: SettingsDeps, userId: string, roomId: string): Promise<Room> {
  const room = roomOf(await findVisibleRoom(deps.sql, userId, roomId));
  const members = await deps.sql<{ user_id: string }[]>`select user_id from memberships where room_id = ${roomId}`;
  deps.broadcasts.roomChanged(room, [...new Set([userId, ...members.map((m) => m.user_id)])]);
  return room;
}
