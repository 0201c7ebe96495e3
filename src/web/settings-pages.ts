// Your own account in the browser: a new password (the session cookie takes the new session's
// token, since changing it ends every session) and deleting the account.
import { Elysia } from "elysia";
import type { SafeHtml } from "../../views/html";
import { deleteAccountSection, passwordSection, SETTINGS_PATH, settingsFragment } from "../../views/settings";
import { deleteAccount } from "../auth/account-deletion";
import { changePassword } from "../auth/accounts";
import { AccountDeletion, PasswordChange } from "../auth/schemas";
import type { HttpDeps } from "../http/context";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { isHtmx, page, redirect } from "./respond";
import { clearedSessionCookie, sessionCookie, type Viewer, viewerGuard } from "./session";

const validPasswordChange = compileValidator(PasswordChange);
const validDeletion = compileValidator(AccountDeletion);

export function settingsPages(deps: HttpDeps) {
  /** The section to htmx, the page to anyone else; 400 with a form's error. */
  const answer = (request: Request, viewer: Viewer, section: SafeHtml, whole: Parameters<typeof settingsFragment>[0], status: number, headers?: Record<string, string>) =>
    page(request, isHtmx(request) ? section : settingsFragment(whole), { title: "Settings", viewer, status, headers });

  return new Elysia()
    .use(viewerGuard(deps))
    .get(SETTINGS_PATH, ({ request, viewer }) => page(request, settingsFragment({ username: viewer.username }), { title: "Settings", viewer }), { viewer: true })
    .post(
      `${SETTINGS_PATH}/password`,
      async ({ request, body, viewer }) => {
        try {
          const { currentPassword, newPassword } = validPasswordChange({ currentPassword: body.currentPassword, newPassword: body.newPassword });
          const token = await changePassword(deps, viewer, currentPassword, newPassword);
          // This page's session ended with the others: the new one is signed in on it from now on.
          const cookie = { "set-cookie": sessionCookie(request, token, deps.auth.tokenTtlSeconds) };
          return answer(request, viewer, passwordSection({ changed: true }), { username: viewer.username, password: { changed: true } }, 200, cookie);
        } catch (error) {
          const message = userError(error);
          return answer(request, viewer, passwordSection({ error: message }), { username: viewer.username, password: { error: message } }, 400);
        }
      },
      { viewer: true, body: Form },
    )
    .post(
      `${SETTINGS_PATH}/delete`,
      async ({ request, body, viewer }) => {
        try {
          await deleteAccount(deps, viewer, validDeletion({ password: body.password }).password);
        } catch (error) {
          const message = userError(error);
          return answer(request, viewer, deleteAccountSection(message), { username: viewer.username, deleteError: message }, 400);
        }
        return redirect(request, "/signin", { "set-cookie": clearedSessionCookie(request) });
      },
      { viewer: true, body: Form },
    );
}
