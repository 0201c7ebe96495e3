import { Type } from "@sinclair/typebox";
import { t } from "elysia";
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
export const JoinCode = Text({
  minLength: 1,
  maxLength: 100,
  error: "joinCode must be 1-100 characters",
  description: "the code of the join link (its last path segment); needed when the server has REGISTRATION=link",
});
export const Registration = t.Object({ ...Credentials.properties, joinCode: t.Optional(JoinCode) });
// Login takes any text: a rule changed later must not lock out an existing account.
export const LoginCredentials = t.Object({
  username: Text({ minLength: 1, maxLength: 256, pattern: "^[^\\u0000]*$", error: "username must be 1-256 characters without NUL characters" }),
  password: Text({ minLength: 1, maxLength: 256, error: "password must be 1-256 characters" }),
});
export const PasswordChange = t.Object({ currentPassword: Text({ minLength: 1, maxLength: 256 }), newPassword: Password });
export const AvatarUrl = t.String({ description: "an image: the user's picture, or their initials until they upload one (PUT /me/avatar)" });
export const User = t.Object({
  id: Id,
  username: t.String(),
  createdAt: t.String({ format: "date-time" }),
  isAdmin: t.Boolean({ description: "a site admin (the first account is one)" }),
  avatarUrl: AvatarUrl,
});
export const Token = t.Object({ token: t.String() });

// ---- an admin's view of accounts, and what accounts do for themselves -----------------------

export const Account = t.Object({
  ...User.properties,
  deactivated: t.Boolean({ description: "cannot sign in until an admin reactivates the account" }),
});
export const AccountsQuery = t.Object({
  query: t.Optional(Text({ maxLength: 100, default: "", error: "query must be at most 100 characters" })),
  after: t.Optional(Text({ minLength: 1, maxLength: 256, error: "after must be a username: the last one of the page before" })),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 50, error: "limit must be 1-100" })),
});
export const UserParams = t.Object({ userId: Id });
export const SetAdmin = t.Object({ isAdmin: t.Boolean() });
export const ResetLink = t.Object({ url: t.String(), expiresAt: t.String({ format: "date-time" }) });
export const JoinLink = t.Object({ url: t.String(), code: t.String() });
/** The last path segment of a reset link. */
export const ResetToken = Text({ minLength: 1, maxLength: 256, error: "token must be the last part of a reset link" });
export const PasswordReset = t.Object({ token: ResetToken, newPassword: Password });
export const AccountDeletion = t.Object({ password: Text({ minLength: 1, maxLength: 256, error: "password must be 1-256 characters" }) });

export type User = typeof User.static;
export type Account = typeof Account.static;

const NullableTime = t.Union([t.String({ format: "date-time" }), t.Null()]);
export const CreateApiToken = t.Object({
  name: Text({ minLength: 1, maxLength: 100, pattern: "\\S", error: "name must be 1-100 characters, not all blank" }),
  expiresInDays: t.Optional(
    Type.Integer({ minimum: 1, maximum: 3650, error: "expiresInDays must be a whole number of days from 1 to 3650 (leave it out for a token that does not expire)" }),
  ),
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
