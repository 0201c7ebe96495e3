// Signing in, registering and signing out in the browser: the API's own accounts and
// sessions, with the token kept in the session cookie.
import { Elysia } from "elysia";
import { registerForm, signInForm } from "../../views/auth";
import type { SafeHtml } from "../../views/html";
import { login, logout, register } from "../auth/accounts";
import { Credentials, LoginCredentials } from "../auth/schemas";
import { AppError } from "../errors";
import { addressOf } from "../http/client-address";
import type { HttpDeps } from "../http/context";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { page, redirect } from "./respond";
import { clearedSessionCookie, sessionCookie, viewerOf } from "./session";

const validCredentials = compileValidator(Credentials);
const validLogin = compileValidator(LoginCredentials);

export function authPages(deps: HttpDeps) {
  const authPage = (request: Request, form: SafeHtml, title: string, status = 200) => page(request, form, { title, status });

  const signInWith = (request: Request, token: string) =>
    redirect(request, "/", { "set-cookie": sessionCookie(request, token, deps.auth.tokenTtlSeconds) });

  return new Elysia()
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
    .get("/register", ({ request }) => authPage(request, registerForm(), "Create an account"))
    .post(
      "/register",
      async ({ request, body }) => {
        try {
          const { username, password } = validCredentials({ username: body.username, password: body.password });
          await register(deps, username, password, addressOf(request));
          return signInWith(request, await login(deps, username, password, addressOf(request)));
        } catch (error) {
          return authPage(request, registerForm({ username: body.username, error: userError(error) }), "Create an account", 400);
        }
      },
      { body: Form },
    )
    // Signing out needs no session: without one there is simply nothing to revoke.
    .post("/signout", async ({ request }) => {
      const viewer = await viewerOf(deps, request);
      if (viewer) await logout(deps, viewer);
      return redirect(request, "/signin", { "set-cookie": clearedSessionCookie(request) });
    });
}
