import { Elysia } from "elysia";
import { changePassword, login, logout, register } from "../auth/accounts";
import { resetPassword } from "../auth/reset-links";
import { LoginCredentials, PasswordChange, PasswordReset, Registration, Token, User } from "../auth/schemas";
import { ErrorBody } from "../schemas";
import { addressOf } from "./client-address";
import { authGuard, type HttpDeps } from "./context";

export function authRoutes(deps: HttpDeps) {
  return new Elysia({ prefix: "/auth", tags: ["auth"] })
    .use(authGuard(deps))
    .post(
      "/register",
      async ({ body, set, request }) => {
        set.status = 201;
        return register(deps, body.username, body.password, addressOf(request), body.joinCode);
      },
      {
        body: Registration,
        response: { 201: User, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody, 429: ErrorBody },
        detail: {
          summary: "Create an account",
          security: [],
          description:
            "The first account is the site admin. With REGISTRATION=link, every later one needs `joinCode`, the code of the admins' join link: " +
            "without it, or with one that is not the current code, 403 `registration_closed`.",
        },
      },
    )
    .post(
      "/reset",
      async ({ body, set }) => {
        await resetPassword(deps, body.token, body.newPassword);
        set.status = 204;
      },
      {
        body: PasswordReset,
        response: { 400: ErrorBody },
        detail: {
          summary: "Set a new password with a reset link an admin made",
          security: [],
          responses: { 204: { description: "The password is set, and every session of the account has ended" } },
          description:
            "`token` is the link's last path segment. The link works once: every session of the account ends (sockets too); then sign in. " +
            "400 `reset_link_used`, `reset_link_expired` (after 24 h) or `reset_link_unknown`.",
        },
      },
    )
    .post("/login", async ({ body, request }) => ({ token: await login(deps, body.username, body.password, addressOf(request)) }), {
      body: LoginCredentials,
      response: { 200: Token, 401: ErrorBody, 429: ErrorBody },
      detail: { summary: "Get a token (a JWT)", security: [] },
    })
    .post("/password", async ({ principal, body }) => ({ token: await changePassword(deps, principal, body.currentPassword, body.newPassword) }), {
      auth: true,
      body: PasswordChange,
      response: { 200: Token, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      detail: { summary: "Change your password; every session ends (sockets too), and you get a new token" },
    })
    .post(
      "/logout",
      async ({ principal, set }) => {
        await logout(deps, principal);
        set.status = 204;
      },
      {
        auth: true,
        response: { 401: ErrorBody },
        detail: {
          summary: "Revoke this token, on REST and on live sockets",
          responses: { 204: { description: "Revoked: the token no longer works, its sockets are disconnected" } },
        },
      },
    );
}
