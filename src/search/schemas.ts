import { t } from "elysia";
import { Message } from "../messages/schemas";
import { Id, Text } from "../schemas";

export const SearchText = Text({
  minLength: 1,
  maxLength: 256,
  pattern: "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$",
  error: "q must be 1-256 characters, not blank, without NUL characters",
});
export const SearchQuery = t.Object({
  q: SearchText,
  roomId: t.Optional(Id),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20, error: "limit must be 1-100" })),
  before: t.Optional(Id),
});
export const Found = t.Object({
  ...Message.properties,
  highlight: t.String({
    description: "the message's text (or the part of a long one around what matched) as HTML: escaped, with what matched in <mark>",
  }),
});

export type SearchQuery = typeof SearchQuery.static;
export type Found = typeof Found.static;
