// The realtime side of the domain's Broadcasts, and the names of the Socket.IO rooms it uses.
import type { Server } from "socket.io";
import type { Broadcasts } from "../broadcasts";
import type { Message } from "../messages/schemas";
import type { Metrics } from "../metrics";
import type { PostedDigest, RoomActivity } from "./activity";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents } from "./events";
import type { RoomChannels } from "./room-channels";
import type { RoomFeeds } from "./room-feeds";

export interface SocketData {
  principal: import("../auth/accounts").Principal;
  /** A browser page: it wants each message with its rendered fragment. */
  wantsHtml: boolean;
}
export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Every socket of one person. */
export const USER_ROOM = "user:";
export const userRoom = (userId: string) => `${USER_ROOM}${userId}`;
/** Where the browser sockets of room R listen, apart from R, so that JSON clients get JSON only. */
export const htmlRoom = (roomId: string) => `html:${roomId}`;
/**
 * Every socket of a chat room, JSON and browser ones: where an event for the whole room goes,
 * emitted to each of the two apart. The adapter sends an event for one Socket.IO room only to
 * the instances with sockets in it (a channel per room); one for several, to every instance.
 */
export const everyoneIn = (roomId: string) => [roomId, htmlRoom(roomId)];
const CHAT_ROOM = /^(?:html:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/**
 * The chat room a Socket.IO room delivers, whichever of the two it is; none for a person's
 * own rooms, nor for the room Socket.IO makes of every socket's id.
 */
export const chatRoomOf = (room: string): string | undefined => CHAT_ROOM.exec(room)?.[1];

/** How this instance reaches the others, when it has any: room changes and new messages for their activity. */
export interface ToOtherInstances {
  channels: RoomChannels;
  digest: PostedDigest;
}

/**
 * Delivers what the domain reports: each room's changes through its feed (which keeps rev
 * order) on this instance and, through the room's channel, on the others that deliver the
 * room; new messages also reach the members' activity, here and (gathered) everywhere;
 * membership, read marker and session changes through the adapter.
 */
export function createBroadcasts(io: ChatServer, feeds: RoomFeeds, activity: RoomActivity, metrics: Metrics, others?: ToOtherInstances): Broadcasts {
  const changed = (message: Message) => {
    feeds.receive(message);
    others?.channels.publish(message);
  };
  return {
    messagePosted(message) {
      metrics.messagesStored.inc();
      changed(message);
      activity.posted(message);
      others?.digest.add(message);
    },
    messageRetried: changed,
    messageChanged: changed,
    // Applied here at once, before the caller answers; the Redis adapter applies a
    // cluster-wide request only when it comes back from Redis, even on this instance.
    membershipEnded(roomId, userId, reason) {
      const rooms = everyoneIn(roomId);
      if (reason === "removed") io.to(userRoom(userId)).emit("roomLeft", { roomId, userId, reason });
      io.local.in(userRoom(userId)).socketsLeave(rooms);
      if (others) io.in(userRoom(userId)).socketsLeave(rooms);
    },
    readMoved(read, alsoTo) {
      io.to(userRoom(read.userId)).emit("roomRead", read);
      const { roomId, userId, lastReadSeq } = read;
      if (alsoTo.length > 0) io.to(alsoTo.map(userRoom)).emit("roomRead", { roomId, userId, lastReadSeq });
    },
    roomChanged(room, userIds) {
      io.to(userIds.map(userRoom)).emit("roomUpdated", { room });
    },
    sessionEnded(sessionId, userId) {
      endSessionHere(io, sessionId, userId);
      if (others) io.serverSideEmit("sessionEnded", sessionId, userId);
    },
  };
}

/**
 * Disconnects this instance's sockets of the session, found among the user's own sockets (in
 * their user room): a Socket.IO room per session cost every socket a Set, an entry in the
 * adapter's rooms and in its own rooms, and the room's name, about 450 bytes of heap.
 */
export function endSessionHere(io: ChatServer, sessionId: string, userId: string): void {
  const nsp = io.of("/");
  const ids = nsp.adapter.rooms.get(userRoom(userId));
  if (!ids) return;
  for (const id of [...ids]) {
    const socket = nsp.sockets.get(id);
    if (socket?.data.principal.sessionId === sessionId) socket.disconnect(true);
  }
}
