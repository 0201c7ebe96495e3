import { t } from "elysia";
import { Username } from "../auth/schemas";
import { Id, Text } from "../schemas";

const RoomName = Text({
  minLength: 1,
  maxLength: 80,
  pattern: "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$",
  error: "name must be 1-80 characters, not blank, without NUL characters",
});
export const CreateRoom = t.Object({ name: RoomName, isPrivate: t.Optional(t.Boolean({ default: false })) });
export const Invite = t.Object({ username: Username });
export const RoomParams = t.Object({ roomId: Id });
export const MemberParams = t.Object({ roomId: Id, userId: Id });

export const Room = t.Object({
  id: Id,
  name: t.String(),
  isPrivate: t.Boolean(),
  ownerId: t.Union([Id, t.Null()], { description: "null once the last member left" }),
  createdAt: t.String({ format: "date-time" }),
});
export const Member = t.Object({
  userId: Id,
  username: t.String(),
  isOwner: t.Boolean(),
  joinedAt: t.String({ format: "date-time" }),
});
export const RoomMember = t.Object({ ...Member.properties, online: t.Boolean({ description: "has a socket in the room right now" }) });
/** The answer to a join or a leave, over REST and as `roomJoined`/`roomLeft`. */
export const Membership = t.Object({ roomId: Id, userId: Id });
/** `roomLeft`: why the socket left (absent when it asked to). */
export const RoomLeft = t.Object({ roomId: Id, userId: Id, reason: t.Optional(t.Union([t.Literal("left"), t.Literal("removed")])) });

export type Room = typeof Room.static;
export type Member = typeof Member.static;
export type RoomMember = typeof RoomMember.static;
