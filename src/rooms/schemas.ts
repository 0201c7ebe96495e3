import { t } from "elysia";
import { AvatarUrl, Username } from "../auth/schemas";
import { Id, Seq, Text, textFormat } from "../schemas";

// A name people must be able to trust: it reads as what it is. Refused: control characters
// (newlines and tabs included), format characters (Unicode's Cf: the bidirectional controls
// U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C, which can make "exe.txt" show as
// "txt.exe", and the zero-width U+200B-U+200D, U+2060, U+FEFF, which make two names that
// look the same differ), line and paragraph separators, characters drawn as nothing
// (Hangul fillers, the blank Braille pattern) and names with nothing visible at all.
// Surrounding whitespace is trimmed where a name is stored (storedName in src/rooms/rooms.ts).
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\u2800]/u;
const DISPLAY_NAME = textFormat("display-name", (value) => !INVISIBLE.test(value) && /\S/u.test(value));
const RoomName = Text({
  minLength: 1,
  maxLength: 80,
  format: DISPLAY_NAME,
  error: "name must be 1-80 characters, not blank, without control, invisible or direction-changing characters",
});
// A topic is one line of free text; emoji sequences need U+200D, so only control characters
// and the direction-changing ones are refused (these could reverse the text around it).
const UNSAFE_IN_TOPIC = /[\p{Cc}\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]/u;
const TOPIC_TEXT = textFormat("topic-text", (value) => !UNSAFE_IN_TOPIC.test(value));
const Topic = Text({
  maxLength: 250,
  format: TOPIC_TEXT,
  error: "topic must be at most 250 characters, one line, without control or direction-changing characters",
});
export const CreateRoom = t.Object({ name: RoomName, isPrivate: t.Optional(t.Boolean({ default: false })) });
/** PATCH /rooms/:roomId: what is given changes; an empty topic clears it. */
export const UpdateRoom = t.Object({ name: t.Optional(RoomName), topic: t.Optional(t.Union([Topic, t.Null()])) });
export const Invite = t.Object({ username: Username });
export const RoomParams = t.Object({ roomId: Id });
export const MemberParams = t.Object({ roomId: Id, userId: Id });

export const RoomKind = t.Union([t.Literal("room"), t.Literal("direct")]);
export const NotifyLevel = t.Union([t.Literal("all"), t.Literal("mentions"), t.Literal("none")], {
  description: "what reaches the member as a notification; by default all in direct and private rooms, mentions in public ones",
});
export const Room = t.Object({
  id: Id,
  name: t.String({ description: "in a direct room, the other person's username" }),
  isPrivate: t.Boolean(),
  ownerId: t.Union([Id, t.Null()], { description: "null once the last member left, and in direct rooms" }),
  createdAt: t.String({ format: "date-time" }),
  kind: RoomKind,
  topic: t.Union([t.String(), t.Null()], { description: "what the room is for, shown beside its name; null when none" }),
  archivedAt: t.Union([t.String({ format: "date-time" }), t.Null()], { description: "when it was archived: read-only, left out of every list, history kept" }),
});
/** A room in GET /rooms: with where the caller stands in it, when a member. */
export const RoomListItem = t.Object({
  ...Room.properties,
  isMember: t.Boolean(),
  lastSeq: t.Optional(t.Integer({ description: "the seq of the room's newest message (members)" })),
  lastReadSeq: t.Optional(t.Integer({ description: "where you have read up to (members)" })),
  unreadCount: t.Optional(t.Integer({ description: "messages from others after lastReadSeq, not deleted (members)" })),
  mentionCount: t.Optional(t.Integer({ description: "those of them that mention you (members)" })),
  notify: t.Optional(NotifyLevel),
  peerAvatarUrl: t.Optional(t.String({ description: "direct rooms: the other person's avatar" })),
});
/** Where a member has read up to, and what is left unread. */
export const Unread = t.Object({ roomId: Id, lastReadSeq: t.Integer(), unreadCount: t.Integer(), mentionCount: t.Integer() });
export const OnlyForward = t.Optional(
  t.Boolean({ description: "move the marker only if seq is past it: what a client reading on screen sends, so that a late report never marks messages unread" }),
);
export const MarkRead = t.Object({ seq: Seq, onlyForward: OnlyForward });
export const SetNotify = t.Object({ level: NotifyLevel });
export const Notify = t.Object({ roomId: Id, notify: NotifyLevel });
export const OpenDirect = t.Object({ username: Username });
export const Member = t.Object({
  userId: Id,
  username: t.String(),
  isOwner: t.Boolean(),
  joinedAt: t.String({ format: "date-time" }),
  lastReadSeq: t.Integer({ description: "where the member has read up to" }),
  avatarUrl: AvatarUrl,
});
export const RoomMember = t.Object({ ...Member.properties, online: t.Boolean({ description: "has a socket in the room right now" }) });
/** The answer to a join or a leave, over REST and as `roomJoined`/`roomLeft`. */
export const Membership = t.Object({ roomId: Id, userId: Id });
/** `roomLeft`: why the socket left (absent when it asked to). */
export const RoomLeft = t.Object({ roomId: Id, userId: Id, reason: t.Optional(t.Union([t.Literal("left"), t.Literal("removed")])) });

export type Room = typeof Room.static;
export type UpdateRoom = typeof UpdateRoom.static;
export type RoomKind = typeof RoomKind.static;
export type RoomListItem = typeof RoomListItem.static;
export type NotifyLevel = typeof NotifyLevel.static;
export type Unread = typeof Unread.static;
export type Member = typeof Member.static;
export type RoomMember = typeof RoomMember.static;
