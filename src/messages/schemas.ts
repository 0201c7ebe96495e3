import { t } from "elysia";
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
export const SendMessage = t.Object({
  content: Content,
  roomId: Id,
  senderId: t.Optional(Id),
  clientId: t.Optional(ClientId),
});
export const Message = t.Object({
  id: Id,
  roomId: Id,
  seq: t.Integer(),
  senderId: Id,
  username: t.String(),
  content: t.String(),
  clientId: t.Union([t.String(), t.Null()]),
  createdAt: t.String({ format: "date-time" }),
});
export const HistoryQuery = t.Object({
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 200, default: 50, error: "limit must be 1-200" })),
  before: t.Optional(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, error: "before must be a seq, a whole number >= 0" })),
  after: t.Optional(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, error: "after must be a seq, a whole number >= 0" })),
});

export type SendMessage = typeof SendMessage.static;
export type Message = typeof Message.static;
export type HistoryQuery = typeof HistoryQuery.static;
