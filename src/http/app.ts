// The HTTP edge: every route group, the API document, and one mapping from errors to
// `{ message, code }` responses. Nothing here knows about SQL.
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { docsPage } from "../../views/docs";
import { htmlResponse } from "../../views/html";
import { publicError } from "../errors";
import { log } from "../log";
import { SOCKET_EVENTS } from "../realtime/events";
import { describeInvalid } from "../validation";
import { authRoutes } from "./auth";
import type { HttpDeps } from "./context";
import { healthRoutes } from "./health";
import { messageRoutes } from "./messages";
import { observe } from "./observe";
import { peopleRoutes } from "./people";
import { pushRoutes } from "./push";
import { roomRoutes } from "./rooms";
import { searchRoutes } from "./search";
import { webRoutes } from "../web/routes";

export function createHttpApp(deps: HttpDeps) {
  let docs: Response | undefined;
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
    .use(
      openapi({
        provider: null, // the docs page below is ours: no script, nothing from a CDN
        specPath: "/openapi.json",
        exclude: { paths: ["/docs"] },
        documentation: {
          info: {
            title: "ChatLoop API",
            version: "1",
            description: "The REST API of ChatLoop. The Socket.IO events are on /docs and in src/realtime/events.ts.",
          },
          components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
          security: [{ bearer: [] }],
        },
      }),
    )
    .use(healthRoutes(deps.sql))
    .use(authRoutes(deps))
    .use(roomRoutes(deps))
    .use(messageRoutes(deps))
    .use(searchRoutes(deps))
    .use(peopleRoutes(deps))
    .use(pushRoutes(deps))
    .get("/docs", async () => {
      docs ??= htmlResponse(docsPage(await (await app.handle(new Request("http://localhost/openapi.json"))).json(), SOCKET_EVENTS));
      return docs.clone();
    }, { detail: { hide: true } });
  return app;
}

function json(status: number, body: { code: string; message: string }): Response {
  return Response.json(body, { status });
}
