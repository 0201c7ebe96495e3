// The Socket.IO contract in one typed map, shared by the server and the tests.
// `sendMessage` takes the very schema of POST /messages; see CONTRACT.md for the meaning of each event.
import { t } from "elysia";
import { Message, SendMessage } from "../messages/schemas";
import { Membership } from "../rooms/schemas";
import { ErrorBody, Id, Seq } from "../schemas";

export const JoinRoomPayload = t.Object({ roomId: Id, userId: t.Optional(Id), after: t.Optional(Seq) });
export const LeaveRoomPayload = t.Object({ roomId: Id, userId: t.Optional(Id) });

export type JoinRoomPayload = typeof JoinRoomPayload.static;
export type LeaveRoomPayload = typeof LeaveRoomPayload.static;
export type MembershipPayload = typeof Membership.static;
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
}

/** What a browser socket (handshake `auth: { format: "html" }`) receives: the message and its fragment. */
export type MessageWithHtml = Message & { html: string };

export interface ServerToClientEvents {
  roomJoined(payload: MembershipPayload): void;
  roomLeft(payload: MembershipPayload): void;
  newMessage(message: Message | MessageWithHtml): void;
  presence(payload: typeof PresencePayload.static): void;
  error(error: typeof ErrorBody.static): void;
}

/** Between instances, through the adapter: a message stored elsewhere, for local delivery. */
export interface InterServerEvents {
  messageStored(message: Message): void;
}

/** The event map again, as data: for the docs page. Payload schemas are the validators' own. */
export const SOCKET_EVENTS = [
  { direction: "client → server", name: "joinRoom", payload: JoinRoomPayload, answer: "roomJoined, after replaying as newMessage what came after `after`" },
  { direction: "client → server", name: "leaveRoom", payload: LeaveRoomPayload, answer: "roomLeft" },
  { direction: "client → server", name: "sendMessage", payload: SendMessage, answer: "the stored message (acknowledgement); newMessage to the room" },
  { direction: "server → client", name: "roomJoined", payload: Membership, answer: "the join succeeded" },
  { direction: "server → client", name: "roomLeft", payload: Membership, answer: "the leave succeeded" },
  { direction: "server → client", name: "newMessage", payload: Message, answer: "a committed message, in seq order, to every socket in the room" },
  { direction: "server → client", name: "presence", payload: PresencePayload, answer: "who came online in the room (first socket) or went offline (last socket, on every instance): changes gathered over 250 ms" },
  { direction: "server → client", name: "error", payload: ErrorBody, answer: "the last request failed and changed nothing" },
] as const;
