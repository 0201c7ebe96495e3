// The admin page in the browser: the same admin functions as /admin/*, as forms. With htmx an
// action answers the row it changed (or the join link); without, the whole page, searched for
// that person, with the row showing what happened (a reset link to copy, or why not).
import { Elysia, t } from "elysia";
import { accountRow, adminFragment, joinLinkPanel, type RowResult } from "../../views/admin";
import { joinUrl, resetUrl } from "../../views/auth";
import { findAccount, listAccounts, requireAdmin, setAdmin } from "../auth/admins";
import { deactivate, reactivate } from "../auth/deactivation";
import { currentJoinCode, replaceJoinCode } from "../auth/join-codes";
import { issueResetLink } from "../auth/reset-links";
import { AccountsQuery, SetAdmin, UserParams } from "../auth/schemas";
import type { HttpDeps } from "../http/context";
import { linkOrigin } from "../http/origin";
import { compileValidator } from "../validation";
import { Form, userError } from "./posted-form";
import { isHtmx, page } from "./respond";
import { type Viewer, viewerGuard } from "./session";

/** People on one page of the admin list. */
const ACCOUNTS_SHOWN = 50;
const validSetAdmin = compileValidator(SetAdmin);
/** The form's "true" and "false"; anything else is left as it came, for the schema to refuse. */
const formBoolean = (value: string | undefined) => (value === "true" ? true : value === "false" ? false : value);

export function adminPages(deps: HttpDeps) {
  const { sql } = deps;
  const origin = (request: Request) => linkOrigin(request, deps.publicUrl);
  const joinLink = async (request: Request, viewer: Viewer, replaced = false) => ({
    url: joinUrl(origin(request), replaced ? await replaceJoinCode(sql, viewer.userId) : await currentJoinCode(sql, viewer.userId)),
    registration: deps.auth.registration,
    replaced,
  });

  const adminPage = async (request: Request, viewer: Viewer, list: { query: string; after?: string }, result?: AdminResult) => {
    const { accounts, next } = await listAccounts(sql, viewer.userId, { ...list, limit: ACCOUNTS_SHOWN });
    const fragment = adminFragment({ viewerId: viewer.userId, ...list, accounts, next, joinLink: await joinLink(request, viewer), result });
    return page(request, fragment, { title: "Admin", viewer, scripts: ["admin.js"], status: result?.error ? 400 : 200 });
  };

  /** Does an action to one account, then answers its row (htmx) or the page searched for it. */
  const onAccount = async (request: Request, viewer: Viewer, userId: string, action: () => Promise<unknown>, result: () => RowResult = () => ({})) => {
    await requireAdmin(sql, viewer.userId); // before anything of the account is shown
    let outcome: RowResult;
    try {
      await action();
      outcome = result();
    } catch (error) {
      outcome = { error: userError(error) };
    }
    const account = await findAccount(sql, userId);
    if (isHtmx(request)) return page(request, accountRow(account, viewer.userId, outcome), { title: "Admin", status: outcome.error ? 400 : 200 });
    return adminPage(request, viewer, { query: account.username }, { userId, ...outcome });
  };

  return new Elysia()
    .use(viewerGuard(deps))
    .get("/chat/admin", ({ request, query, viewer }) => adminPage(request, viewer, { query: query.query ?? "", after: query.after }), {
      viewer: true,
      query: t.Object({ query: AccountsQuery.properties.query, after: AccountsQuery.properties.after }),
    })
    .post(
      "/chat/admin/join-link",
      async ({ request, viewer }) => {
        const link = await joinLink(request, viewer, true);
        return isHtmx(request) ? page(request, joinLinkPanel(link), { title: "Admin" }) : adminPage(request, viewer, { query: "" });
      },
      { viewer: true },
    )
    .post(
      "/chat/admin/users/:userId/deactivate",
      ({ request, params, viewer }) => onAccount(request, viewer, params.userId, () => deactivate(deps, viewer.userId, params.userId)),
      {
        viewer: true,
        params: UserParams,
      },
    )
    .post(
      "/chat/admin/users/:userId/reactivate",
      ({ request, params, viewer }) => onAccount(request, viewer, params.userId, () => reactivate(deps, viewer.userId, params.userId)),
      {
        viewer: true,
        params: UserParams,
      },
    )
    .post(
      "/chat/admin/users/:userId/admin",
      ({ request, params, body, viewer }) =>
        onAccount(request, viewer, params.userId, () => setAdmin(sql, viewer.userId, params.userId, validSetAdmin({ isAdmin: formBoolean(body.isAdmin) }).isAdmin)),
      { viewer: true, params: UserParams, body: Form },
    )
    .post(
      "/chat/admin/users/:userId/reset-link",
      async ({ request, params, viewer }) => {
        let link: RowResult["resetLink"];
        const issue = async () => {
          const { token, expiresAt } = await issueResetLink(sql, viewer.userId, params.userId);
          link = { url: resetUrl(origin(request), token), expiresAt: expiresAt.toISOString() };
        };
        return onAccount(request, viewer, params.userId, issue, () => ({ resetLink: link }));
      },
      { viewer: true, params: UserParams },
    );
}

type AdminResult = { userId: string } & RowResult;
