// The API's machine-readable descriptions, taken from a running server as a client would take
// them: /openapi.json is lint-clean under Redocly's recommended rules (redocly.yaml).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;
const scratch = mkdtempSync(join(tmpdir(), "chatloop-api-documents-"));

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await stopServer(server);
  rmSync(scratch, { recursive: true, force: true });
});

const fetchJson = async (path: string) => (await fetch(server.base + path)).json();

test("/openapi.json passes `redocly lint` with the recommended rules: no error, no warning", async () => {
  const file = join(scratch, "openapi.json");
  await Bun.write(file, JSON.stringify(await fetchJson("/openapi.json")));
  const lint = Bun.spawnSync(["node_modules/.bin/redocly", "lint", "--config", "redocly.yaml", "--format", "json", file], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" }, // offline, and quiet
  });
  const { problems } = JSON.parse(lint.stdout.toString()) as { problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
  expect(problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
  expect(lint.exitCode).toBe(0);
});

test("the document says what a client needs: who needs a token, integers as integers with their defaults, every header", async () => {
  const spec = await fetchJson("/openapi.json");
  const op = (path: string, method: string) => spec.paths[path][method];
  for (const [path, method] of [["/", "get"], ["/healthz", "get"], ["/readyz", "get"], ["/auth/register", "post"], ["/auth/login", "post"]]) {
    expect({ path, security: op(path!, method!).security }).toEqual({ path, security: [] });
  }
  expect(op("/metrics", "get").security).toEqual([{ metricsToken: [] }]);
  expect(op("/rooms", "get").security).toBeUndefined(); // the document's default: a bearer token
  expect(spec.security).toEqual([{ bearer: [] }]);

  const query = Object.fromEntries(op("/messages/{id}", "get").parameters.filter((p: { in: string }) => p.in === "query").map((p: { name: string; schema: unknown }) => [p.name, p.schema]));
  expect(query).toEqual({
    limit: { type: "integer", minimum: 1, maximum: 200, default: 50 },
    before: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    after: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  });
  expect(JSON.stringify(spec)).not.toContain('"error":"');

  expect(Object.keys(op("/messages/{id}", "get").responses["200"].headers).sort()).toEqual(["Link", "X-Request-Id"]);
  expect(Object.keys(op("/rooms/{roomId}/changes", "get").responses["200"].headers).sort()).toEqual(["Link", "X-Request-Id"]);
  expect(Object.keys(op("/auth/login", "post").responses["429"].headers).sort()).toEqual(["Retry-After", "X-Request-Id"]);
  for (const [path, method] of [["/auth/logout", "post"], ["/rooms/{roomId}/members/{userId}", "delete"], ["/push/subscriptions", "delete"]]) {
    expect({ path, noContent: op(path!, method!).responses["204"]?.description }).toEqual({ path, noContent: expect.any(String) });
  }
  expect(op("/metrics", "get").responses["200"].content).toHaveProperty(["text/plain; version=0.0.4"]);
});
