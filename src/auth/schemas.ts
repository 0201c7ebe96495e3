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
// Login takes any text: a rule changed later must not lock out an existing account.
export const LoginCredentials = t.Object({
  username: Text({ minLength: 1, maxLength: 256, pattern: "^[^\\u0000]*$", error: "username must be 1-256 characters without NUL characters" }),
  password: Text({ minLength: 1, maxLength: 256, error: "password must be 1-256 characters" }),
});
export const PasswordChange = t.Object({ currentPassword: Text({ minLength: 1, maxLength: 256 }), newPassword: Password });
export const AvatarUrl = t.String({ description: "an image: the user's picture, or their initials until they upload one (PUT /me/avatar)" });
export const User = t.Object({ id: Id, username: t.String(), createdAt: t.String({ format: "date-time" }), avatarUrl: AvatarUrl });
export const Token = t.Object({ token: t.String() });

export type User = typeof User.static;
