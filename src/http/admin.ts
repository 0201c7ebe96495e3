// The site admins' API: accounts (list, deactivate, reactivate, admin or not, reset links) and
// the join link. Everything here answers 403 to anyone but an admin, before reading the body.
import { Elysia, t } from "elysia";
import { joinUrl, resetUrl } from "../../views/auth";
import { findAccount, listAccounts, setAdmin } from "../auth/admins";
import { deactivate, reactivate } from "../auth/deactivation";
import { currentJoinCode, replaceJoinCode } from "../auth/join-codes";
import { issueResetLink } from "../auth/reset-links";
import { Account, AccountsQuery, JoinLink, ResetLink, SetAdmin, UserParams } from "../auth/schemas";
import { ErrorBody } from "../schemas";
import { authGuard, type HttpDeps } from "./context";
import { linkOrigin } from "./origin";

export function adminRoutes(deps: HttpDeps) {
  const { sql } = deps;
  const origin = (request: Request) => linkOrigin(request, deps.publicUrl);
  const joinLink = (request: Request, code: string) => ({ url: joinUrl(origin(request), code), code });
  return new Elysia({ prefix: "/admin", tags: ["admin"] })
    .use(authGuard(deps))
    .guard({ admin: true, response: { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } })
    .get(
      "/users",
      async ({ principal, query, set }) => {
        const limit = query.limit ?? 50;
        const search = query.query ?? "";
        const page = await listAccounts(sql, principal.userId, { query: search, after: query.after, limit });
        if (page.next) set.headers.link = `</admin/users?${new URLSearchParams({ query: search, limit: String(limit), after: page.next })}>; rel="next"`;
        return page.accounts;
      },
      {
        query: AccountsQuery,
        response: { 200: t.Array(Account) },
        detail: {
          summary: "Accounts, by username, a page at a time (admins)",
          description:
            "Those whose username contains `query` (any case), deactivated ones included, deleted ones not. `limit` 1-100 (default 50); " +
            'while there are more, a Link header (rel="next") names the next page, which starts `after` the last username of this one.',
        },
      },
    )
    .get("/users/:userId", ({ params }) => findAccount(sql, params.userId), {
      params: UserParams,
      response: { 200: Account },
      detail: { summary: "One account (admins)" },
    })
    .post("/users/:userId/deactivate", ({ principal, params }) => deactivate(deps, principal.userId, params.userId), {
      params: UserParams,
      response: { 200: Account },
      detail: {
        summary: "Deactivate an account (admins)",
        description:
          "Every session and socket of the account ends at once, on every instance; signing in answers 403 `account_deactivated` until it is reactivated. " +
          "Never your own account (409 `own_account`) nor the last admin (409 `last_admin`). Deactivating twice is no error.",
      },
    })
    .post("/users/:userId/reactivate", ({ principal, params }) => reactivate(deps, principal.userId, params.userId), {
      params: UserParams,
      response: { 200: Account },
      detail: { summary: "Let a deactivated account sign in again (admins)" },
    })
    .put("/users/:userId/admin", ({ principal, params, body }) => setAdmin(sql, principal.userId, params.userId, body.isAdmin), {
      params: UserParams,
      body: SetAdmin,
      response: { 200: Account },
      detail: { summary: "Make someone an admin, or no longer one (admins)", description: "The server is never left without an admin who can sign in: 409 `last_admin`." },
    })
    .post(
      "/users/:userId/reset-link",
      async ({ principal, params, request }) => {
        const { token, expiresAt } = await issueResetLink(sql, principal.userId, params.userId);
        return { url: resetUrl(origin(request), token), expiresAt: expiresAt.toISOString() };
      },
      {
        params: UserParams,
        response: { 200: ResetLink },
        detail: {
          summary: "A one-time link to set a new password (admins)",
          description:
            "Hand it over by any channel. It works once, for 24 hours (POST /auth/reset with its last path segment as `token`, or opened in a browser); " +
            "a newer link for the same account replaces it.",
        },
      },
    )
    .get("/join-link", async ({ principal, request }) => joinLink(request, await currentJoinCode(sql, principal.userId)), {
      response: { 200: JoinLink },
      detail: { summary: "The sign-up link (admins)", description: "With REGISTRATION=link, POST /auth/register needs its `code` as `joinCode`." },
    })
    .post("/join-link", async ({ principal, request }) => joinLink(request, await replaceJoinCode(sql, principal.userId)), {
      response: { 200: JoinLink },
      detail: { summary: "Replace the sign-up link (admins): the old one stops working at once" },
    });
}
