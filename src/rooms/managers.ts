// Who may manage a room (rename it, set its topic, archive it, invite, remove members): its
// owner, or any site admin, so that a room whose owner left, or went rogue, is never out of
// reach. A direct room has no owner and nothing to manage. The one rule for every such action.
import { isAdmin } from "../auth/admins";
import type { Sql } from "../db/sql";
import { forbidden } from "../errors";
import type { Room } from "./schemas";

type Managed = Pick<Room, "kind" | "ownerId">;

/** Whether the user manages the room: the owner of a room, or a site admin. */
export async function mayManage(sql: Sql, room: Managed, userId: string): Promise<boolean> {
  if (room.kind !== "room") return false;
  return room.ownerId === userId || (await isAdmin(sql, userId));
}

/**
 * Refuses everyone who may not manage the room. The code stays `not_the_owner`, which clients
 * of the owner-only invites and removals already know (a direct room's members included).
 */
export async function requireManager(sql: Sql, room: Managed, userId: string): Promise<void> {
  if (room.kind !== "room") throw forbidden("not_the_owner", "a direct message has no owner: nobody manages it");
  if (!(await mayManage(sql, room, userId))) throw forbidden("not_the_owner", "only the room's owner or a site admin may do that");
}
