// The Socket.IO contract in one typed map, shared by the server and the tests.
// `sendMessage` takes the very schema of POST /messages; see CONTRACT.md for the meaning of each event.
import { t } from "elysia";
import { Content, Emoji, Message, SendMessage } from "../messages/schemas";
import { Membership, OnlyForward, Room, RoomKind, RoomLeft, Unread } from "../rooms/schemas";
import { ErrorBody, Id, Rev, Seq } from "../schemas";

export const JoinRoomPayload = t.Object({
  roomId: Id,
  userId: t.Optional(Id),
  after: t.Optional(Seq),
  since: t.Optional(Rev),
});
export const LeaveRoomPayload = t.Object({ roomId: Id, userId: t.Optional(Id) });
export const EditMessagePayload = t.Object({ messageId: Id, content: Content });
export const DeleteMessagePayload = t.Object({ messageId: Id });
export const ReactPayload = t.Object({ messageId: Id, emoji: Emoji });
export const TypingPayload = t.Object({ roomId: Id });
export const Typing = t.Object({ roomId: Id, userId: Id, username: t.String() });
export const MarkReadPayload = t.Object({ roomId: Id, seq: Seq, onlyForward: OnlyForward });
export const RoomActivity = t.Object({ roomId: Id, lastSeq: t.Integer(), unreadCount: t.Integer(), mentionCount: t.Integer() });
export const RoomRead = t.Object({
  roomId: Id,
  userId: Id,
  lastReadSeq: t.Integer(),
  unreadCount: t.Optional(t.Integer({ description: "to the reader's own sockets only" })),
  mentionCount: t.Optional(t.Integer({ description: "to the reader's own sockets only" })),
});
export const Notification = t.Object({
  roomId: Id,
  roomName: t.String({ description: "as the recipient sees it: in a direct room, the other person's username" }),
  kind: RoomKind,
  message: Message,
});

export const RoomUpdated = t.Object({ room: Room });

export type JoinRoomPayload = typeof JoinRoomPayload.static;
export type LeaveRoomPayload = typeof LeaveRoomPayload.static;
export type MembershipPayload = typeof Membership.static;
export type EditMessagePayload = typeof EditMessagePayload.static;
export type DeleteMessagePayload = typeof DeleteMessagePayload.static;
export type ReactPayload = typeof ReactPayload.static;
export type TypingPayload = typeof TypingPayload.static;
export type MarkReadPayload = typeof MarkReadPayload.static;
export type RoomActivity = typeof RoomActivity.static;
export type Notification = typeof Notification.static;
export const PresencePayload = t.Object({
  roomId: Id,
  online: t.Array(Id, { description: "members whose first socket joined the room since the last presence event" }),
  offline: t.Array(Id, { description: "members whose last socket, on every instance, left since the last presence event" }),
});

/** What an acknowledgement callback receives: the event's answer, or the error. */
export type Ack<T> = (answer: T | typeof ErrorBody.static) => void;

export interface ClientToServerEvents {
  joinRoom(payload: JoinRoomPayload, ack?: Ack<MembershipPayload>): void;
  leaveRoom(payload: LeaveRoomPayload, ack?: Ack<MembershipPayload>): void;
  sendMessage(payload: SendMessage, ack?: Ack<Message>): void;
  editMessage(payload: EditMessagePayload, ack?: Ack<Message>): void;
  deleteMessage(payload: DeleteMessagePayload, ack?: Ack<Message>): void;
  react(payload: ReactPayload, ack?: Ack<Message>): void;
  unreact(payload: ReactPayload, ack?: Ack<Message>): void;
  typing(payload: TypingPayload, ack?: Ack<TypingPayload>): void;
  markRead(payload: MarkReadPayload, ack?: Ack<typeof Unread.static>): void;
}

/** What a browser socket (handshake `auth: { format: "html" }`) receives: the message and its fragment. */
export type MessageWithHtml = Message & { html: string };

export interface ServerToClientEvents {
  roomJoined(payload: MembershipPayload): void;
  roomLeft(payload: typeof RoomLeft.static): void;
  newMessage(message: Message | MessageWithHtml): void;
  messageUpdated(message: Message | MessageWithHtml): void;
  typing(payload: typeof Typing.static): void;
  presence(payload: typeof PresencePayload.static): void;
  roomActivity(payload: RoomActivity): void;
  roomRead(payload: typeof RoomRead.static): void;
  notification(payload: Notification): void;
  roomUpdated(payload: typeof RoomUpdated.static): void;
  error(error: typeof ErrorBody.static): void;
}

/** Between instances, through the adapter, to every instance (a room's changes go on its own channel: RoomChannels). */
export interface InterServerEvents {
  /** New messages stored by the sending instance, gathered: for every instance's activity. */
  messagesPosted(messages: Message[]): void;
  sessionEnded(sessionId: string, userId: string): void;
}

/**
 * The event map again, as data: for the docs page and the AsyncAPI document. Payload schemas
 * are the validators' own; `ack` is what a client event's acknowledgement receives (or the error).
 */
export const SOCKET_EVENTS = [
  {
    direction: "client → server",
    name: "joinRoom",
    payload: JoinRoomPayload,
    ack: Membership,
    answer:
      "roomJoined, after replaying as newMessage every message after seq `after` (in its current state), then as messageUpdated every older message changed after rev `since`, in rev order",
  },
  { direction: "client → server", name: "leaveRoom", payload: LeaveRoomPayload, ack: Membership, answer: "roomLeft" },
  { direction: "client → server", name: "sendMessage", payload: SendMessage, ack: Message, answer: "the stored message (acknowledgement); newMessage to the room" },
  {
    direction: "client → server",
    name: "editMessage",
    payload: EditMessagePayload,
    ack: Message,
    answer: "the message after the edit (the sender only); messageUpdated to the room",
  },
  {
    direction: "client → server",
    name: "deleteMessage",
    payload: DeleteMessagePayload,
    ack: Message,
    answer: "the deleted message (the sender, the room's owner or a site admin); messageUpdated to the room",
  },
  { direction: "client → server", name: "react", payload: ReactPayload, ack: Message, answer: "the message with the reaction (members); messageUpdated to the room" },
  { direction: "client → server", name: "unreact", payload: ReactPayload, ack: Message, answer: "the message without your reaction; messageUpdated to the room" },
  {
    direction: "client → server",
    name: "typing",
    payload: TypingPayload,
    ack: TypingPayload,
    answer: "typing to the room's other sockets, at most once per person and room every 2 s",
  },
  {
    direction: "client → server",
    name: "markRead",
    payload: MarkReadPayload,
    ack: Unread,
    answer: "{ roomId, lastReadSeq, unreadCount, mentionCount } (members; 0 <= seq <= the room's last seq, lower marks unread again); roomRead to your sockets",
  },
  { direction: "server → client", name: "roomJoined", payload: Membership, answer: "the join succeeded" },
  { direction: "server → client", name: "roomLeft", payload: RoomLeft, answer: 'the leave succeeded; with reason "removed", the owner removed you' },
  { direction: "server → client", name: "newMessage", payload: Message, answer: "a committed message, in seq order, to every socket in the room" },
  { direction: "server → client", name: "messageUpdated", payload: Message, answer: "a message after a committed change (edit, deletion, reaction), in rev order with newMessage" },
  { direction: "server → client", name: "typing", payload: Typing, answer: "someone is typing in the room: show it for about 5 s, or until their next message" },
  {
    direction: "server → client",
    name: "presence",
    payload: PresencePayload,
    answer: "who came online in the room (first socket) or went offline (last socket, on every instance): changes gathered over 250 ms",
  },
  {
    direction: "server → client",
    name: "roomActivity",
    payload: RoomActivity,
    answer: "to every socket of every member, joined to the room or not: the room has new messages; at most one per room per second",
  },
  {
    direction: "server → client",
    name: "roomRead",
    payload: RoomRead,
    answer: "your read marker moved (with your counts), or, in a direct room, the other person's did: a read receipt",
  },
  {
    direction: "server → client",
    name: "notification",
    payload: Notification,
    answer: "to every socket of the user: someone else's message that matches your notification level in the room (a mention always does, unless the level is none)",
  },
  {
    direction: "server → client",
    name: "roomUpdated",
    payload: RoomUpdated,
    answer: "to every socket of every member, on every instance: the room was renamed, its topic set, or it was archived (archivedAt set: read-only, gone from lists)",
  },
  { direction: "server → client", name: "error", payload: ErrorBody, answer: "the last request failed and changed nothing" },
] as const;
