// What the domain tells the connected world. Each call reaches every instance: messages
// through their room feeds, membership and session changes through the adapter.
import type { Server } from "socket.io";
import type { Message } from "../messages/schemas";
import type { Metrics } from "../metrics";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents } from "./events";
import type { RoomFeeds } from "./room-feeds";

export interface SocketData {
  principal: import("../auth/accounts").Principal;
  /** A browser page: it wants each message with its rendered fragment. */
  wantsHtml: boolean;
  /** Disconnects the socket when its token expires. */
  expiry?: Timer;
}
export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface Hub {
  /** A committed message: delivered to every socket in its room, on every instance. */
  messageStored(message: Message): void;
  /**
   * A retry found its message stored by an earlier send, which may have committed without
   * hearing so (its answer lost to a database timeout) and so without delivering it: it is
   * delivered now; the feeds drop it where they already have.
   */
  messageRetried(message: Message): void;
  /** The user is no longer a member: none of their sockets, anywhere, stays in the room. */
  membershipEnded(roomId: string, userId: string): void;
  /** The session was revoked: its sockets are disconnected everywhere. */
  sessionEnded(sessionId: string): void;
}

export const userRoom = (userId: string) => `user:${userId}`;
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
/** Where the browser sockets of room R listen, apart from R, so that JSON clients get JSON only. */
export const htmlRoom = (roomId: string) => `html:${roomId}`;
const CHAT_ROOM = /^(?:html:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/**
 * The chat room a Socket.IO room delivers, whichever of the two it is; none for a person's
 * own rooms, nor for the room Socket.IO makes of every socket's id.
 */
export const chatRoomOf = (room: string): string | undefined => CHAT_ROOM.exec(room)?.[1];

export function createHub(io: ChatServer, feeds: RoomFeeds, clustered: boolean, metrics: Metrics): Hub {
  const deliver = (message: Message) => {
    feeds.receive(message);
    // Once per instance, not once per socket: each instance's feed fans out locally.
    if (clustered) io.serverSideEmit("messageStored", message);
  };
  return {
    messageStored(message) {
      metrics.messagesStored.inc();
      deliver(message);
    },
    messageRetried: deliver,
    // Applied here at once, before the caller answers; the Redis adapter applies a
    // cluster-wide request only when it comes back from Redis, even on this instance.
    membershipEnded(roomId, userId) {
      const rooms = [roomId, htmlRoom(roomId)];
      io.local.in(userRoom(userId)).socketsLeave(rooms);
      if (clustered) io.in(userRoom(userId)).socketsLeave(rooms);
    },
    sessionEnded(sessionId) {
      io.local.in(sessionRoom(sessionId)).disconnectSockets(true);
      if (clustered) io.in(sessionRoom(sessionId)).disconnectSockets(true);
    },
  };
}
