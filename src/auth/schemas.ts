import { t } from "elysia";
import { Id } from "../schemas";

export const Username = t.String({
  minLength: 3,
  maxLength: 32,
  pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
  error: "username must be 3-32 characters: letters, digits, '_', '.', '-', not starting with '.' or '-'",
});
export const Password = t.String({
  minLength: 8,
  maxLength: 256,
  error: "password must be 8-256 characters",
});
export const Credentials = t.Object({ username: Username, password: Password });
// Login checks any string: a rule changed later must not lock out an existing account.
export const LoginCredentials = t.Object({
  username: t.String({ minLength: 1, maxLength: 256, pattern: "^[^\\u0000]*$" }),
  password: t.String({ minLength: 1, maxLength: 256 }),
});
export const PasswordChange = t.Object({ currentPassword: t.String({ minLength: 1, maxLength: 256 }), newPassword: Password });
export const User = t.Object({ id: Id, username: t.String(), createdAt: t.String({ format: "date-time" }) });
export const Token = t.Object({ token: t.String() });

export type User = typeof User.static;
