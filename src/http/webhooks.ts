import { Elysia, t } from "elysia";
import { badRequest } from "../errors";
import { Message } from "../messages/schemas";
import { RoomParams } from "../rooms/schemas";
import { ErrorBody } from "../schemas";
import { createWebhook, deleteWebhook, listWebhooks, postThroughWebhook } from "../webhooks/incoming";
import { CreateWebhook, HookParams, HookPost, NewWebhook, Webhook, WebhookParams } from "../webhooks/schemas";
import { authGuard, type HttpDeps } from "./context";
import { ownOrigin } from "./origin";

export function webhookRoutes(deps: HttpDeps) {
  const managing = new Elysia({ prefix: "/rooms/:roomId/webhooks", tags: ["webhooks"] })
    .use(authGuard(deps))
    .guard({ auth: true, response: { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } })
    .post(
      "",
      async ({ principal, params, body, set, request }) => {
        const { id, name, secret } = await createWebhook(deps.sql, principal.userId, params.roomId, body.name);
        set.status = 201;
        return { id, name, url: `${ownOrigin(request)}/hooks/${secret}` };
      },
      {
        params: RoomParams,
        body: CreateWebhook,
        response: { 201: NewWebhook },
        detail: {
          summary: "Make an incoming webhook (the room's owner)",
          description: "Anyone holding the url may POST `{ content }` (or Slack's `{ text }`) to it to post in the room as `name`. The url is in this answer only.",
        },
      },
    )
    .get("", ({ principal, params }) => listWebhooks(deps.sql, principal.userId, params.roomId), {
      params: RoomParams,
      response: { 200: t.Array(Webhook) },
      detail: { summary: "The room's incoming webhooks (the room's owner; never their urls)" },
    })
    .delete(
      "/:webhookId",
      async ({ principal, params, set }) => {
        await deleteWebhook(deps.sql, principal.userId, params.roomId, params.webhookId);
        set.status = 204;
      },
      { params: WebhookParams, detail: { summary: "Revoke an incoming webhook: its url stops at once", responses: { 204: { description: "Revoked" } } } },
    );

  const posting = new Elysia({ tags: ["webhooks"] }).post(
    "/hooks/:secret",
    async ({ params, body, set }) => {
      const content = body.content ?? body.text;
      if (content === undefined) throw badRequest("invalid_input", "content: send { content } (or Slack's { text })");
      set.status = 201;
      return (await postThroughWebhook(deps, params.secret, content)).message;
    },
    {
      params: HookParams,
      body: HookPost,
      response: { 201: Message, 400: ErrorBody, 404: ErrorBody, 413: ErrorBody, 429: ErrorBody },
      detail: { summary: "Post in the room through an incoming webhook", security: [] },
    },
  );
  return new Elysia().use(managing).use(posting);
}
