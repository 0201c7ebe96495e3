// Signing in, registering and signing out in the browser: the API's own accounts and
// sessions, with the token kept in the session cookie.
import { Elysia, t } from "elysia";
import { registerForm, registrationClosed, resetForm, resetRefused, signInForm } from "../../views/auth";
import type { SafeHtml } from "../../views/html";
import { login, logout, register } from "../auth/accounts";
import { isJoinCode, joinCodeRequired } from "../auth/join-codes";
import { resetLinkAccount, resetPassword } from "../auth/reset-links";
import { Credentials, JoinCode, LoginCredentials, PasswordReset, ResetToken } from "../auth/schemas";
import { AppError } from "../errors";
import { addressOf } from "../http/client-address";
import type { HttpDeps } from "../http/context";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { page, redirect } from "./respond";
import { clearedSessionCookie, sessionCookie, viewerOf } from "./session";

const validCredentials = compileValidator(Credentials);
const validLogin = compileValidator(LoginCredentials);
const validReset = compileValidator(PasswordReset);
const isResetLinkError = (error: unknown) => error instanceof AppError && error.code.startsWith("reset_link_");
const CLOSED = "This server is open only to people with a join link: ask one of its admins for it.";

export function authPages(deps: HttpDeps) {
  const authPage = (request: Request, form: SafeHtml, title: string, status = 200) => page(request, form, { title, status });

  const signInWith = (request: Request, token: string) => redirect(request, "/", { "set-cookie": sessionCookie(request, token, deps.auth.tokenTtlSeconds) });

  /** Creates the account (with the join link's code, when it came through one) and signs in. */
  const registerThrough = async (request: Request, body: Record<string, string>, joinCode?: string) => {
    try {
      const { username, password } = validCredentials({ username: body.username, password: body.password });
      await register(deps, username, password, addressOf(request), joinCode);
      return signInWith(request, await login(deps, username, password, addressOf(request)));
    } catch (error) {
      if (error instanceof AppError && error.code === "registration_closed") return authPage(request, registrationClosed(error.message), "Registration is closed", 403);
      return authPage(request, registerForm({ username: body.username, joinCode, error: userError(error) }), "Create an account", 400);
    }
  };

  return (
    new Elysia()
      .get("/signin", ({ request }) => authPage(request, signInForm(), "Sign in"))
      .post(
        "/signin",
        async ({ request, body }) => {
          try {
            const { username, password } = validLogin({ username: body.username, password: body.password });
            return signInWith(request, await login(deps, username, password, addressOf(request)));
          } catch (error) {
            const filledInWrongly = error instanceof AppError && error.status === 400;
            return authPage(request, signInForm({ username: body.username, error: userError(error) }), "Sign in", filledInWrongly ? 400 : 401);
          }
        },
        { body: Form },
      )
      .get("/register", async ({ request }) =>
        (await joinCodeRequired(deps.sql, deps.auth.registration))
          ? authPage(request, registrationClosed(CLOSED), "Registration is closed", 403)
          : authPage(request, registerForm(), "Create an account"),
      )
      .post("/register", ({ request, body }) => registerThrough(request, body), { body: Form })
      // The join link an admin hands out: the sign-up form, carrying its code.
      .get(
        "/join/:code",
        async ({ request, params: { code } }) =>
          (await joinCodeRequired(deps.sql, deps.auth.registration)) && !(await isJoinCode(deps.sql, code))
            ? authPage(request, registrationClosed("This join link is not valid any more: ask an admin of this server for the current one."), "Registration is closed", 403)
            : authPage(request, registerForm({ joinCode: code }), "Create an account"),
        { params: t.Object({ code: JoinCode }) },
      )
      .post("/join/:code", ({ request, params, body }) => registerThrough(request, body, params.code), { params: t.Object({ code: JoinCode }), body: Form })
      // A reset link an admin made: a new password, then signed in with it.
      .get(
        "/reset/:token",
        async ({ request, params: { token } }) => {
          try {
            const { username } = await resetLinkAccount(deps.sql, token);
            return authPage(request, resetForm({ token, username }), "Set a new password");
          } catch (error) {
            if (!isResetLinkError(error)) throw error;
            return authPage(request, resetRefused(userError(error)), "This link cannot be used", 400);
          }
        },
        { params: t.Object({ token: ResetToken }) },
      )
      .post(
        "/reset/:token",
        async ({ request, params: { token }, body }) => {
          let username: string, newPassword: string;
          try {
            ({ newPassword } = validReset({ token, newPassword: body.newPassword }));
            ({ username } = await resetPassword(deps, token, newPassword));
          } catch (error) {
            if (isResetLinkError(error)) return authPage(request, resetRefused(userError(error)), "This link cannot be used", 400);
            const form = resetForm({ token, username: (await resetLinkAccount(deps.sql, token)).username, error: userError(error) });
            return authPage(request, form, "Set a new password", 400);
          }
          try {
            return signInWith(request, await login(deps, username, newPassword, addressOf(request)));
          } catch (error) {
            return authPage(request, signInForm({ username, error: userError(error) }), "Sign in", 403);
          }
        },
        { params: t.Object({ token: ResetToken }), body: Form },
      )
      // Signing out needs no session: without one there is simply nothing to revoke.
      .post("/signout", async ({ request }) => {
        const viewer = await viewerOf(deps, request);
        if (viewer) await logout(deps, viewer);
        return redirect(request, "/signin", { "set-cookie": clearedSessionCookie(request) });
      })
  );
}
