import { t } from "elysia";
import { Type } from "@sinclair/typebox";
import { Id, Text } from "../schemas";

export const Username = Text({
  minLength: 3,
  maxLength: 32,
  pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
  error: "username must be 3-32 characters: letters, digits, '_', '.', '-', not starting with '.' or '-'",
});
export const Password = Text({
  minLength: 8,
  maxLength: 256,
  error: "password must be 8-256 characters",
});
export const Credentials = t.Object({ username: Username, password: Password });
// Login takes any text: a rule changed later must not lock out an existing account.
export const LoginCredentials = t.Object({
  username: Text({ minLength: 1, maxLength: 256, pattern: "^[^\\u0000]*$", error: "username must be 1-256 characters without NUL characters" }),
  password: Text({ minLength: 1, maxLength: 256, error: "password must be 1-256 characters" }),
});
export const PasswordChange = t.Object({ currentPassword: Text({ minLength: 1, maxLength: 256 }), newPassword: Password });
export const User = t.Object({
  id: Id,
  username: t.String(),
  createdAt: t.String({ format: "date-time" }),
  isAdmin: t.Boolean({ description: "a site admin (the first account is one)" }),
});
export const Token = t.Object({ token: t.String() });

export type User = typeof User.static;

const NullableTime = t.Union([t.String({ format: "date-time" }), t.Null()]);
export const CreateApiToken = t.Object({
  name: Text({ minLength: 1, maxLength: 100, pattern: "\\S", error: "name must be 1-100 characters, not all blank" }),
  expiresInDays: t.Optional(Type.Integer({ minimum: 1, maximum: 3650, error: "expiresInDays must be a whole number of days from 1 to 3650 (leave it out for a token that does not expire)" })),
});
export const ApiToken = t.Object({
  id: Id,
  name: t.String(),
  createdAt: t.String({ format: "date-time" }),
  lastUsedAt: t.Union([NullableTime], { description: "when it was last used, to the minute; null if never" }),
  expiresAt: t.Union([NullableTime], { description: "null: it does not expire" }),
});
export const NewApiToken = t.Composite([ApiToken, t.Object({ token: t.String({ description: "shown this once: only its hash is kept" }) })]);
export const TokenParams = t.Object({ tokenId: Id });
