// The OpenAPI document of the REST API: what Elysia's route schemas say (toOpenAPISchema), and
// then what they cannot say, so that it is valid and lint-clean (redocly.yaml) and tells a client
// generator the truth:
// - the schemas as others read them (src/json-schema.ts);
// - a route's `detail.responses` (a 204, a header such as Link) is dropped by the generator
//   once the route has a `response` schema: merged back here;
// - what every answer may be, whatever the route: X-Request-Id on each (observe.ts), 413 for a
//   body over MAX_BODY_BYTES and 503 while shutting down or without the database (server.ts),
//   Retry-After with every 429;
// - GET /messages/:roomId and PATCH /messages/:messageId are one path template to OpenAPI,
//   which refuses two that differ only in a parameter's name: they become /messages/{id}.
import { toOpenAPISchema } from "@elysiajs/openapi";
import type { AnyElysia } from "elysia";
import { publishedSchema } from "../json-schema";

type Json = Record<string, unknown>;
interface Response extends Json {
  headers?: Json;
}
interface Operation extends Json {
  parameters?: { name: string; in: string; description?: string }[];
  responses?: Record<string, Response>;
}
type Paths = Record<string, Record<string, Operation>>;

const ERROR_BODY = { type: "object", required: ["message", "code"], properties: { message: { type: "string" }, code: { type: "string" } } };
const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: ERROR_BODY } } });

const HEADERS = {
  "X-Request-Id": { description: "This request's id, in the logs: the caller's own X-Request-Id when it is 1-64 letters, digits, `_`, `.` or `-`", schema: { type: "string" } },
  "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer", minimum: 0 } },
};
/** What any route may answer, whatever it is. */
const ANY_ROUTE: Record<string, Response> = {
  "413": errorResponse("`body_too_large`: the body is over MAX_BODY_BYTES"),
  "503": errorResponse("`unavailable` (the database) or `shutting_down`: try again, on this or another instance"),
};

/** A route's `Link` header, for its `detail.responses`. */
export const linkHeader = (description: string) => ({ description, schema: { type: "string" as const } });

export function apiDocument(app: AnyElysia, documentation: Json): Json {
  const generated = toOpenAPISchema(app, { paths: ["/docs", "/openapi.json"] });
  const paths = generated.paths as Paths;
  mergeDeclaredResponses(app, paths);
  for (const operation of Object.values(paths).flatMap((methods) => Object.values(methods))) completeResponses(operation);
  return publishedSchema({
    openapi: "3.1.0",
    ...documentation,
    paths: oneTemplatePerPath(paths),
    components: { ...(documentation.components as Json), schemas: generated.components.schemas, headers: HEADERS },
  }) as Json;
}

/** A route's own `detail.responses`, over what was generated (their headers added to its). */
function mergeDeclaredResponses(app: AnyElysia, paths: Paths): void {
  for (const route of app.routes) {
    const declared = (route.hooks as { detail?: { responses?: Record<string, Response> } } | undefined)?.detail?.responses;
    const operation = paths[route.path.replace(/:([^/]+)/g, "{$1}")]?.[route.method.toLowerCase()];
    if (!declared || !operation) continue;
    for (const [status, response] of Object.entries(declared)) {
      const generatedResponse = operation.responses?.[status];
      operation.responses = { ...operation.responses, [status]: { ...generatedResponse, ...response, headers: { ...generatedResponse?.headers, ...response.headers } } };
    }
  }
}

function completeResponses(operation: Operation): void {
  const responses = { ...ANY_ROUTE, ...operation.responses };
  for (const [status, response] of Object.entries(responses)) {
    const headers: Json = { ...response.headers, "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" } };
    if (status === "429") headers["Retry-After"] = { $ref: "#/components/headers/Retry-After" };
    responses[status] = { ...response, headers };
  }
  operation.responses = responses;
}

/** Templates that differ only in their parameters' names, merged: a name they do not share becomes `id`, told apart by its description. */
function oneTemplatePerPath(paths: Paths): Paths {
  const shapes = Map.groupBy(Object.keys(paths), (path) => path.replace(/\{[^}]+\}/g, "{}"));
  const merged: Paths = {};
  for (const [shape, group] of shapes) {
    const names = group.map(parameterNames);
    const unified = names[0]!.map((name, i) => (names.every((n) => n[i] === name) ? name : "id"));
    let i = 0;
    const template = shape.replace(/\{\}/g, () => `{${unified[i++]}}`);
    merged[template] = {};
    for (const path of group) {
      const renamed = new Map(parameterNames(path).map((name, i) => [name, unified[i]!]));
      for (const [method, operation] of Object.entries(paths[path]!)) {
        const parameters = operation.parameters?.map((p) =>
          p.in === "path" && renamed.get(p.name) !== p.name ? { ...p, name: renamed.get(p.name)!, description: `The ${p.name.replace(/Id$/, "")}'s id (\`${p.name}\`)` } : p,
        );
        merged[template][method] = { ...operation, ...(parameters && { parameters }) };
      }
    }
  }
  return merged;
}

const parameterNames = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
