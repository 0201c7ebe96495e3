import { Elysia, t } from "elysia";
import { requireAdmin } from "../auth/admins";
import { createBot, listBots } from "../bots/bots";
import { BotListItem, CreateBot, NewBot } from "../bots/schemas";
import { addressRule } from "../net/guarded-fetch";
import { ErrorBody } from "../schemas";
import { authGuard, type HttpDeps } from "./context";

export function botRoutes(deps: HttpDeps) {
  const guard = { addressAllowed: addressRule(deps.webhooksAllowPrivate) };
  return new Elysia({ prefix: "/admin/bots", tags: ["bots"] })
    .use(authGuard(deps))
    .guard({ auth: true, response: { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody } })
    .post(
      "",
      async ({ principal, body, set }) => {
        await requireAdmin(deps.sql, principal.userId);
        set.status = 201;
        return createBot(deps.sql, body.username, body.webhookUrl, guard);
      },
      {
        body: CreateBot,
        response: { 201: NewBot },
        detail: {
          summary: "Make a bot (site admins)",
          description:
            "A user that signs in with its token only. Messages that mention it, or are in its direct room, are POSTed to `webhookUrl` as `{ message, room }`, " +
            'signed: `X-ChatLoop-Signature: sha256=<hex HMAC-SHA256 of "<X-ChatLoop-Timestamp>.<body>" with the secret>`. ' +
            "A 2xx answer with a text body, or JSON `{ content }`, is posted as its reply. The token and the secret are in this answer only.",
        },
      },
    )
    .get(
      "",
      async ({ principal }) => {
        await requireAdmin(deps.sql, principal.userId);
        return listBots(deps.sql);
      },
      { response: { 200: t.Array(BotListItem) }, detail: { summary: "The bots (site admins)" } },
    );
}
