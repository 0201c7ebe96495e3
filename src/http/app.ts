// The HTTP edge: every route group, the API document, and one mapping from errors to
// `{ message, code }` responses. Nothing here knows about SQL.
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { publicError } from "../errors";
import { log } from "../log";
import { describeInvalid } from "../validation";
import { authRoutes } from "./auth";
import type { HttpDeps } from "./context";
import { healthRoutes } from "./health";
import { messageRoutes } from "./messages";
import { roomRoutes } from "./rooms";

export function createHttpApp(deps: HttpDeps) {
  return new Elysia()
    .onError(({ code, error }) => {
      switch (code) {
        case "VALIDATION":
          return json(400, { code: "invalid_input", message: describeInvalid(error.valueError, error.type) });
        case "PARSE":
          return json(400, { code: "invalid_json", message: "the body is not valid JSON" });
        case "NOT_FOUND":
          return json(404, { code: "not_found", message: "no such endpoint" });
      }
      const body = publicError(error);
      if (body.status >= 500) log.error("request_failed", error);
      return json(body.status, { code: body.code, message: body.message });
    })
    .use(
      openapi({
        path: "/docs",
        specPath: "/openapi.json",
        documentation: {
          info: {
            title: "ChatLoop API",
            version: "1",
            description: "REST endpoints of ChatLoop. The Socket.IO events are documented in the README and src/realtime/events.ts.",
          },
          components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
          security: [{ bearer: [] }],
        },
      }),
    )
    .use(healthRoutes(deps.sql))
    .use(authRoutes(deps))
    .use(roomRoutes(deps))
    .use(messageRoutes(deps));
}

function json(status: number, body: { code: string; message: string }): Response {
  return Response.json(body, { status });
}
