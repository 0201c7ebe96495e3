import { Elysia } from "elysia";
import { PublicKey, Subscribe, Subscribed, Unsubscribe } from "../push/schemas";
import { MAX_SUBSCRIPTIONS_PER_USER, subscribe, unsubscribe } from "../push/subscriptions";
import { ErrorBody } from "../schemas";
import { authGuard, type HttpDeps } from "./context";

export function pushRoutes(deps: HttpDeps) {
  const { sql, push } = deps;
  return new Elysia({ prefix: "/push", tags: ["push"] })
    .use(authGuard(deps))
    .guard({ auth: true, response: { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } })
    .get("/key", () => ({ publicKey: push.publicKey }), {
      response: { 200: PublicKey },
      detail: { summary: "The VAPID public key, to subscribe a browser with" },
    })
    .post(
      "/subscriptions",
      async ({ principal, body, set }) => {
        set.status = 201;
        return { endpoint: await subscribe(sql, principal.userId, body, push.allowPrivateEndpoints) };
      },
      {
        body: Subscribe,
        response: { 201: Subscribed },
        detail: {
          summary: "Have this browser notified while you have no ChatLoop open",
          description:
            "The body is the browser's PushSubscription as JSON. An endpoint subscribed before moves to you; " +
            `you keep your ${MAX_SUBSCRIPTIONS_PER_USER} newest subscriptions. The endpoint must be an https URL of a push service on the internet.`,
        },
      },
    )
    .delete(
      "/subscriptions",
      async ({ principal, body, set }) => {
        await unsubscribe(sql, principal.userId, body.endpoint);
        set.status = 204;
      },
      {
        body: Unsubscribe,
        detail: {
          summary: "Stop notifying this browser (only your own subscription; anything else is left as it is)",
          responses: { 204: { description: "Forgotten (or never yours)" } },
        },
      },
    );
}
