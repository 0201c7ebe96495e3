// The HTTP edge: every route group, the API document, and one mapping from errors to
// `{ message, code }` responses. Nothing here knows about SQL.
import { Elysia } from "elysia";
import { docsPage, type OpenApiDocument } from "../../views/docs";
import { htmlResponse } from "../../views/html";
import { publicError } from "../errors";
import { log } from "../log";
import { asyncApiDocument } from "../realtime/asyncapi-document";
import { SOCKET_EVENTS } from "../realtime/events";
import { describeInvalid } from "../validation";
import { webRoutes } from "../web/routes";
import { adminRoutes } from "./admin";
import { apiDocument } from "./api-document";
import { attachmentRoutes } from "./attachments";
import { authRoutes } from "./auth";
import { avatarRoutes } from "./avatars";
import { botRoutes } from "./bots";
import type { HttpDeps } from "./context";
import { healthRoutes } from "./health";
import { meRoutes } from "./me";
import { messageRoutes } from "./messages";
import { metricsRoute } from "./metrics";
import { observe } from "./observe";
import { peopleRoutes } from "./people";
import { previewRoutes } from "./previews";
import { pushRoutes } from "./push";
import { roomRoutes } from "./rooms";
import { searchRoutes } from "./search";
import { tokenRoutes } from "./tokens";
import { webhookRoutes } from "./webhooks";

export function createHttpApp(deps: HttpDeps) {
  let docs: Response | undefined;
  let document: Record<string, unknown> | undefined;
  let asyncApi: Record<string, unknown> | undefined;
  const openApi = (): Record<string, unknown> => (document ??= apiDocument(app, DOCUMENTATION));
  const app = new Elysia()
    .use(observe(deps.metrics))
    // Before the error mapping, so that its pages answer their own errors in HTML; everything
    // after answers JSON.
    .use(webRoutes(deps))
    .onError(({ code, error }) => {
      switch (code) {
        case "VALIDATION":
          return json(400, { code: "invalid_input", message: describeInvalid(error.valueError, error.type) });
        case "PARSE":
          return json(400, { code: "invalid_json", message: "the body is not valid JSON" });
        case "NOT_FOUND":
          return json(404, { code: "not_found", message: "no such endpoint" });
      }
      const answer = publicError(error);
      if (answer.status >= 500) log.error("request_failed", error);
      const response = json(answer.status, { code: answer.code, message: answer.message });
      if (answer.retryAfterMs !== undefined) response.headers.set("retry-after", String(Math.ceil(answer.retryAfterMs / 1000)));
      return response;
    })
    .use(healthRoutes(deps.sql))
    .use(metricsRoute(deps.metrics, deps.metricsToken))
    .use(authRoutes(deps))
    .use(meRoutes(deps))
    .use(adminRoutes(deps))
    .use(roomRoutes(deps))
    .use(messageRoutes(deps))
    .use(searchRoutes(deps))
    .use(peopleRoutes(deps))
    .use(pushRoutes(deps))
    .use(attachmentRoutes(deps))
    .use(avatarRoutes(deps))
    .use(tokenRoutes(deps))
    .use(botRoutes(deps))
    .use(webhookRoutes(deps))
    .use(previewRoutes(deps))
    .get("/openapi.json", () => openApi(), { detail: { hide: true } })
    .get("/asyncapi.json", () => (asyncApi ??= asyncApiDocument()), { detail: { hide: true } })
    .get(
      "/docs",
      () => {
        docs ??= htmlResponse(docsPage(openApi() as unknown as OpenApiDocument, SOCKET_EVENTS));
        return docs.clone();
      },
      { detail: { hide: true } },
    );
  return app;
}

const DOCUMENTATION = {
  info: {
    title: "ChatLoop API",
    version: "1",
    description: "The REST API of ChatLoop. The Socket.IO events are on /docs and, as AsyncAPI 3, in /asyncapi.json.",
  },
  servers: [{ url: "/", description: "This ChatLoop server" }],
  components: {
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A token from POST /auth/login (or the browser's session cookie)" },
      metricsToken: { type: "http", scheme: "bearer", description: "METRICS_TOKEN, for Prometheus" },
    },
  },
  security: [{ bearer: [] }],
};

function json(status: number, body: { code: string; message: string }): Response {
  return Response.json(body, { status });
}
