import { Elysia } from "elysia";
import { changePassword, login, logout, register } from "../auth/accounts";
import { Credentials, LoginCredentials, PasswordChange, Token, User } from "../auth/schemas";
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
        return register(deps, body.username, body.password, addressOf(request));
      },
      { body: Credentials, response: { 201: User, 400: ErrorBody, 409: ErrorBody, 429: ErrorBody }, detail: { summary: "Create an account", security: [] } },
    )
    .post(
      "/login",
      async ({ body, request }) => ({ token: await login(deps, body.username, body.password, addressOf(request)) }),
      { body: LoginCredentials, response: { 200: Token, 401: ErrorBody, 429: ErrorBody }, detail: { summary: "Get a token (a JWT)", security: [] } },
    )
    .post(
      "/password",
      async ({ principal, body }) => ({ token: await changePassword(deps, principal, body.currentPassword, body.newPassword) }),
      {
        auth: true,
        body: PasswordChange,
        response: { 200: Token, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
        detail: { summary: "Change your password; every session ends (sockets too), and you get a new token" },
      },
    )
    .post(
      "/logout",
      async ({ principal, set }) => {
        await logout(deps, principal);
        set.status = 204;
      },
      {
        auth: true,
        response: { 401: ErrorBody },
        detail: { summary: "Revoke this token, on REST and on live sockets", responses: { 204: { description: "Revoked: the token no longer works, its sockets are disconnected" } } },
      },
    );
}
