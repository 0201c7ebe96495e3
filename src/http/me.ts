// Your own account (extensions): who you are, and deleting the account.
import { Elysia } from "elysia";
import { deleteAccount } from "../auth/account-deletion";
import { AccountDeletion, User } from "../auth/schemas";
import { findUser } from "../auth/users";
import { ErrorBody } from "../schemas";
import { authGuard, type HttpDeps } from "./context";

export function meRoutes(deps: HttpDeps) {
  return new Elysia({ prefix: "/me", tags: ["auth"] })
    .use(authGuard(deps))
    .guard({ auth: true, response: { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 429: ErrorBody } })
    .get("", ({ principal }) => findUser(deps.sql, principal.userId), { response: { 200: User }, detail: { summary: "Your own user" } })
    .delete(
      "",
      async ({ principal, body, set }) => {
        await deleteAccount(deps, principal, body.password);
        set.status = 204;
      },
      {
        body: AccountDeletion,
        detail: {
          summary: "Delete your account (your password confirms it)",
          responses: { 204: { description: "Deleted: every session and socket of the account has ended" } },
          description:
            "Every session and socket ends, and you leave every room (rooms you owned pass on). Your messages stay, shown as from `deleted user`; " +
            "your username stays taken. The last admin cannot (409 `last_admin`): make someone else an admin first. A wrong password is 403 `wrong_password`.",
        },
      },
    );
}
