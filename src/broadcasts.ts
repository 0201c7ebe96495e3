// What the domain tells the connected world, after each change is committed. The domain owns
// this port and calls it; src/realtime/ implements it, on every instance.
import type { Message } from "./messages/schemas";
import type { Room, Unread } from "./rooms/schemas";

/** Why a member's sockets leave a room. */
export type LeaveReason = "left" | "removed";

export interface Broadcasts {
  /** A committed new message. */
  messagePosted(message: Message): void;
  /**
   * A retry found its message stored by an earlier send, which may have committed without
   * hearing so (its answer lost to a database timeout) and so without broadcasting it: it is
   * broadcast now, in its current state; the feeds drop it where they already have.
   */
  messageRetried(message: Message): void;
  /** A committed change to a message (edit, deletion, reaction), in its state after the change. */
  messageChanged(message: Message): void;
  /** The user is no longer a member: none of their sockets, anywhere, stays in the room. */
  membershipEnded(roomId: string, userId: string, reason: LeaveReason): void;
  /**
   * A member's read marker moved: their own sockets, everywhere, hear it with what is left
   * unread; `alsoTo` (the other person of a direct room) hears where it now is.
   */
  readMoved(read: Unread & { userId: string }, alsoTo: string[]): void;
  /** A room's settings changed (renamed, new topic, archived): every socket of these users, everywhere, hears it. */
  roomChanged(room: Room, userIds: string[]): void;
  /** The session, of `userId`, was revoked: its sockets are disconnected everywhere. */
  sessionEnded(sessionId: string, userId: string): void;
}

/**
 * The same broadcasts, whose new messages are also handed to `alsoTo` (push, bots, link
 * previews), each after the sockets have been told: none of them is on the message's path.
 */
export function tellingAlso(broadcasts: Broadcasts, ...alsoTo: ((message: Message) => void)[]): Broadcasts {
  return {
    ...broadcasts,
    messagePosted(message) {
      broadcasts.messagePosted(message);
      for (const tell of alsoTo) tell(message);
    },
  };
}
