// Who is online in each room, across instances. Each instance marks the users it has
// sockets for, room by room, in the shared state (InstanceMarks, which expire with a dead
// instance); whether a user has another socket in the room here is asked of Socket.IO's own
// rooms, rather than counted again per room and user (a Map per room, about 200 bytes of heap
// per joined connection).
import type { Sql } from "../db/sql";
import { listMembers } from "../rooms/rooms";
import type { RoomMember } from "../rooms/schemas";
import type { Marks } from "../state/instance-marks";

const setOf = (roomId: string) => `presence:${roomId}`;

export class Presence {
  constructor(
    private readonly marks: Marks,
    /** Told when a user's first socket here joins a room, or when their last one anywhere leaves. */
    private readonly changed: (roomId: string, userId: string, online: boolean) => void,
    /** Whether another socket of the user than `socketId` is in the room on this instance. */
    private readonly otherSocketHere: (roomId: string, userId: string, socketId: string) => boolean,
  ) {}

  /** The socket has joined the room (it is in it now). */
  async joined(roomId: string, userId: string, socketId: string): Promise<void> {
    if (this.otherSocketHere(roomId, userId, socketId)) return;
    await this.marks.mark(setOf(roomId), userId);
    this.changed(roomId, userId, true);
  }

  /** The socket has left the room (it is no longer in it). */
  async left(roomId: string, userId: string, socketId: string): Promise<void> {
    if (this.otherSocketHere(roomId, userId, socketId)) return;
    await this.marks.unmark(setOf(roomId), userId);
    if (!(await this.online(roomId)).has(userId)) this.changed(roomId, userId, false);
  }

  /** The users with a socket in the room on any instance. */
  async online(roomId: string): Promise<Set<string>> {
    return new Set(await this.marks.keys(setOf(roomId)));
  }
}

/** A room's members, as `userId` may see them, each with whether they are online in it now. */
export async function membersOnline(sql: Sql, presence: Presence, userId: string, roomId: string): Promise<RoomMember[]> {
  const members = await listMembers(sql, userId, roomId);
  // Presence is a nicety: without Redis for a moment, the list is still the list.
  const online = await presence.online(roomId).catch(() => new Set<string>());
  return members.map((member) => ({ ...member, online: online.has(member.userId) }));
}

/** A room hears of presence changes at most this often, gathered into one event. */
const PRESENCE_BATCH_MS = 250;

export interface PresenceChanges {
  roomId: string;
  online: string[];
  offline: string[];
}

/**
 * Gathers presence changes per room and announces them together, once per PRESENCE_BATCH_MS:
 * a crowd of n joining a room at once costs one event per window to everyone, not n events
 * to each of n people. A user who came and went within one window is announced as they ended.
 */
export function presenceAnnouncer(announce: (changes: PresenceChanges) => void) {
  const pending = new Map<string, Map<string, boolean>>();
  let stopped = false;
  const flush = (roomId: string) => {
    const changes = pending.get(roomId)!;
    pending.delete(roomId);
    if (stopped) return;
    const users = [...changes];
    announce({ roomId, online: users.filter(([, on]) => on).map(([id]) => id), offline: users.filter(([, on]) => !on).map(([id]) => id) });
  };
  return {
    changed(roomId: string, userId: string, online: boolean) {
      let changes = pending.get(roomId);
      if (!changes) {
        pending.set(roomId, (changes = new Map()));
        setTimeout(flush, PRESENCE_BATCH_MS, roomId);
      }
      changes.set(userId, online);
    },
    stop() {
      stopped = true;
    },
  };
}
