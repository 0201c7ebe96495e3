import { t } from "elysia";
import { Attachment, AttachmentIds } from "../attachments/schemas";
import { Id, Text } from "../schemas";

// The length cap is applied by the domain from config; the schema keeps out the absurd.
// PostgreSQL cannot store the NUL character in text: it is refused here, not by the database.
export const Content = Text({ minLength: 1, maxLength: 100_000, pattern: "^[^\\u0000]*$", error: "content must be a non-empty string without NUL characters" });
const ClientId = Text({
  minLength: 1,
  maxLength: 100,
  pattern: "^[\\x21-\\x7e]+$",
  error: "clientId must be 1-100 printable ASCII characters",
});
// A message with attachments may say nothing: its content may then be empty.
const SentContent = Text({ maxLength: 100_000, pattern: "^[^\\u0000]*$", error: "content must be a string without NUL characters, not empty unless the message has attachments" });
export const SendMessage = t.Object({
  content: SentContent,
  roomId: Id,
  senderId: t.Optional(Id),
  clientId: t.Optional(ClientId),
  replyToId: t.Optional(t.Union([Id, t.Null()], { description: "a message of the same room this one answers" })),
  attachmentIds: t.Optional(AttachmentIds),
});
const Time = t.String({ format: "date-time" });
export const ReplyPreview = t.Object({
  id: Id,
  seq: t.Integer(),
  senderId: Id,
  username: t.String(),
  content: t.String({ description: "the first 200 characters of the message answered" }),
});
export const Reaction = t.Object({
  emoji: t.String(),
  count: t.Integer({ minimum: 1 }),
  userIds: t.Array(Id, { description: "who reacted, in the order they did" }),
});
export const LinkPreview = t.Object({
  url: t.String(),
  title: t.Union([t.String(), t.Null()]),
  description: t.Union([t.String(), t.Null()]),
  imageUrl: t.Union([t.String(), t.Null()], { description: "served from ChatLoop itself" }),
});
export const Message = t.Object({
  id: Id,
  roomId: Id,
  seq: t.Integer(),
  rev: t.Integer({ description: "the room's change number of this message's latest change" }),
  senderId: Id,
  username: t.String(),
  content: t.String({ description: "empty once the message is deleted" }),
  clientId: t.Union([t.String(), t.Null()]),
  createdAt: Time,
  editedAt: t.Union([Time, t.Null()]),
  deletedAt: t.Union([Time, t.Null()]),
  replyTo: t.Union([ReplyPreview, t.Null()]),
  reactions: t.Array(Reaction, { description: "in the order each emoji was first used" }),
  mentions: t.Array(Id, { description: "the members this message mentions with @username" }),
  previews: t.Array(LinkPreview, { description: "of up to 3 http(s) links in the content, added after the message is stored (a messageUpdated)" }),
  attachments: t.Array(Attachment, { description: "in the order they were uploaded; none once the message is deleted" }),
});
export const MessageParams = t.Object({ messageId: Id });
export const EditMessage = t.Object({ content: Content });
/** One emoji: checked further by the domain (one grapheme, pictographic). */
export const Emoji = Text({ minLength: 1, maxLength: 64, error: "emoji must be one emoji" });
export const ReactionParams = t.Object({ messageId: Id, emoji: Emoji });
export const ChangesQuery = t.Object({
  since: t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, error: "since must be a rev, a whole number >= 0" }),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 1000, default: 200, error: "limit must be 1-1000" })),
});
export const Changes = t.Object({
  rev: t.Integer({ description: "the room's current rev" }),
  messages: t.Array(Message, { description: "the current state of every message with a larger rev than `since`, in rev order" }),
});
export const HistoryQuery = t.Object({
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 200, default: 50, error: "limit must be 1-200" })),
  before: t.Optional(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, error: "before must be a seq, a whole number >= 0" })),
  after: t.Optional(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, error: "after must be a seq, a whole number >= 0" })),
});
export const ExportQuery = t.Object({
  format: t.Optional(t.Union([t.Literal("jsonl"), t.Literal("md")], { default: "jsonl", error: "format must be jsonl or md" })),
});

export type SendMessage = typeof SendMessage.static;
export type Reaction = typeof Reaction.static;
export type Message = typeof Message.static;
export type LinkPreview = typeof LinkPreview.static;
export type HistoryQuery = typeof HistoryQuery.static;
export type ExportFormat = NonNullable<typeof ExportQuery.static.format>;
