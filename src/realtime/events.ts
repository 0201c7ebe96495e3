// The Socket.IO contract in one typed map, shared by the server and the tests.
// `sendMessage` takes the very schema of POST /messages; see CONTRACT.md for the meaning of each event.
import { t } from "elysia";
import type { ErrorBody } from "../errors";
import type { Message, SendMessage } from "../messages/schemas";
import { Id, Seq } from "../schemas";

export const JoinRoomPayload = t.Object({ roomId: Id, userId: t.Optional(Id), after: t.Optional(Seq) });
export const LeaveRoomPayload = t.Object({ roomId: Id, userId: t.Optional(Id) });

export type JoinRoomPayload = typeof JoinRoomPayload.static;
export type LeaveRoomPayload = typeof LeaveRoomPayload.static;
export interface MembershipPayload {
  roomId: string;
  userId: string;
}

/** What an acknowledgement callback receives: the event's answer, or the error. */
export type Ack<T> = (answer: T | ErrorBody) => void;

export interface ClientToServerEvents {
  joinRoom(payload: JoinRoomPayload, ack?: Ack<MembershipPayload>): void;
  leaveRoom(payload: LeaveRoomPayload, ack?: Ack<MembershipPayload>): void;
  sendMessage(payload: SendMessage, ack?: Ack<Message>): void;
}

export interface ServerToClientEvents {
  roomJoined(payload: MembershipPayload): void;
  roomLeft(payload: MembershipPayload): void;
  newMessage(message: Message): void;
  error(error: ErrorBody): void;
}

/** Between instances, through the adapter: a message stored elsewhere, for local delivery. */
export interface InterServerEvents {
  messageStored(message: Message): void;
}
