// The API's machine-readable descriptions, taken from a running server as a client would take
// them: /openapi.json is lint-clean under Redocly's recommended rules (redocly.yaml), and a
// client typed from it compiles against the answers the server really gives; /asyncapi.json is
// valid AsyncAPI 3 and describes every Socket.IO event.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiagnosticSeverity, Parser } from "@asyncapi/parser";
import { openApiTypes } from "../scripts/openapi-types";
import { SOCKET_EVENTS } from "../src/realtime/events";
import { api, people, startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;
const scratch = mkdtempSync(join(tmpdir(), "chatloop-api-documents-"));

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await stopServer(server);
  rmSync(scratch, { recursive: true, force: true });
});

/** Tests that run another program (redocly, tsc) or the AsyncAPI parser take seconds on a busy machine. */
const SLOW_MS = 90_000;

const fetchJson = async (path: string) => (await fetch(server.base + path)).json();

test(
  "/openapi.json passes `redocly lint` with the recommended rules: no error, no warning",
  async () => {
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
  },
  SLOW_MS,
);

test("the document says what a client needs: who needs a token, integers as integers with their defaults, every header", async () => {
  const spec = await fetchJson("/openapi.json");
  const op = (path: string, method: string) => spec.paths[path][method];
  for (const [path, method] of [
    ["/", "get"],
    ["/healthz", "get"],
    ["/readyz", "get"],
    ["/auth/register", "post"],
    ["/auth/login", "post"],
  ]) {
    expect({ path, security: op(path!, method!).security }).toEqual({ path, security: [] });
  }
  expect(op("/metrics", "get").security).toEqual([{ metricsToken: [] }]);
  expect(op("/rooms", "get").security).toBeUndefined(); // the document's default: a bearer token
  expect(spec.security).toEqual([{ bearer: [] }]);

  const query = Object.fromEntries(
    op("/messages/{id}", "get")
      .parameters.filter((p: { in: string }) => p.in === "query")
      .map((p: { name: string; schema: unknown }) => [p.name, p.schema]),
  );
  expect(query).toEqual({
    limit: { type: "integer", minimum: 1, maximum: 200, default: 50 },
    before: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    after: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  });
  expect(JSON.stringify(spec)).not.toContain('"error":"');

  expect(Object.keys(op("/messages/{id}", "get").responses["200"].headers).sort()).toEqual(["Link", "X-Request-Id"]);
  expect(Object.keys(op("/rooms/{roomId}/changes", "get").responses["200"].headers).sort()).toEqual(["Link", "X-Request-Id"]);
  expect(Object.keys(op("/auth/login", "post").responses["429"].headers).sort()).toEqual(["Retry-After", "X-Request-Id"]);
  for (const [path, method] of [
    ["/auth/logout", "post"],
    ["/rooms/{roomId}/members/{userId}", "delete"],
    ["/push/subscriptions", "delete"],
  ]) {
    expect({ path, noContent: op(path!, method!).responses["204"]?.description }).toEqual({ path, noContent: expect.any(String) });
  }
  expect(op("/metrics", "get").responses["200"].content).toHaveProperty(["text/plain; version=0.0.4"]);
});

test(
  "a client typed from /openapi.json (scripts/openapi-types.ts) compiles against the server's real answers",
  async () => {
    const [alice, bob] = await people(server, "alice", "bob");
    const answers: { path: string; method: string; status: number; body: unknown }[] = [];
    /** Calls the API and keeps the answer under its path template. */
    const call = async (method: string, template: string, path: string, body?: unknown, token?: string) => {
      const answer = await api(server, method, path, body, token);
      answers.push({ path: template, method: method.toLowerCase(), status: answer.status, body: answer.body });
      return answer.body;
    };
    await call("GET", "/", "/");
    await call("GET", "/healthz", "/healthz");
    await call("GET", "/readyz", "/readyz");
    await call("POST", "/auth/register", "/auth/register", { username: "carol", password: "correct horse battery" });
    await call("POST", "/auth/login", "/auth/login", { username: "carol", password: "correct horse battery" });
    await call("POST", "/auth/login", "/auth/login", { username: "carol", password: "wrong horse battery" });
    const room = await call("POST", "/rooms", "/rooms", { name: "typed" }, alice.token);
    await call("POST", "/rooms", "/rooms", { name: "" }, alice.token);
    await call("POST", "/rooms", "/rooms", { name: "no token" });
    await call("GET", "/rooms", "/rooms", undefined, alice.token);
    await call("GET", "/rooms/{roomId}", `/rooms/${room.id}`, undefined, alice.token);
    await call("GET", "/rooms/{roomId}", `/rooms/${crypto.randomUUID()}`, undefined, alice.token);
    await call("POST", "/rooms/{roomId}/join", `/rooms/${room.id}/join`, undefined, bob.token);
    await call("GET", "/rooms/{roomId}/members", `/rooms/${room.id}/members`, undefined, alice.token);
    const message = await call("POST", "/messages", "/messages", { roomId: room.id, content: "hi @bob", clientId: "typed-1" }, alice.token);
    await call("POST", "/messages", "/messages", { roomId: room.id, content: "hi @bob", clientId: "typed-1" }, alice.token);
    await call("POST", "/messages", "/messages", { roomId: room.id, content: "a reply", replyToId: message.id }, bob.token);
    await call("PUT", "/messages/{messageId}/reactions/{emoji}", `/messages/${message.id}/reactions/${encodeURIComponent("👍")}`, undefined, bob.token);
    await call("PATCH", "/messages/{id}", `/messages/${message.id}`, { content: "hello @bob" }, alice.token);
    await call("PATCH", "/messages/{id}", `/messages/${message.id}`, { content: "not mine" }, bob.token);
    await call("GET", "/messages/{id}", `/messages/${room.id}?limit=1`, undefined, alice.token);
    await call("GET", "/rooms/{roomId}/changes", `/rooms/${room.id}/changes?since=0&limit=1`, undefined, alice.token);
    await call("POST", "/rooms/{roomId}/read", `/rooms/${room.id}/read`, { seq: 1 }, bob.token);
    await call("PUT", "/rooms/{roomId}/notify", `/rooms/${room.id}/notify`, { level: "all" }, bob.token);
    await call("DELETE", "/messages/{id}", `/messages/${message.id}`, undefined, alice.token);
    await call("POST", "/dms", "/dms", { username: "bob" }, alice.token);
    await call("GET", "/users", "/users?query=b", undefined, alice.token);
    await call("GET", "/push/key", "/push/key", undefined, alice.token);
    const secret = await call("POST", "/rooms", "/rooms", { name: "typed secret", isPrivate: true }, alice.token);
    await call("POST", "/rooms/{roomId}/invites", `/rooms/${secret.id}/invites`, { username: "bob" }, alice.token);
    await call("POST", "/rooms/{roomId}/leave", `/rooms/${room.id}/leave`, undefined, bob.token);
    await call("POST", "/auth/password", "/auth/password", { currentPassword: bob.password, newPassword: "another horse battery" }, bob.token);

    const spec = await fetchJson("/openapi.json");
    await Bun.write(join(scratch, "chatloop-api.ts"), openApiTypes(spec));
    const checks = answers.map(
      ({ path, method, status, body }, i) =>
        `export const answer${i}: paths[${JSON.stringify(path)}][${JSON.stringify(method)}]["responses"][${status}] = ${body === undefined ? "undefined as never" : JSON.stringify(body)};`,
    );
    await Bun.write(join(scratch, "answers.ts"), ['import type { paths } from "./chatloop-api";', ...checks, ""].join("\n"));
    const tsc = join(import.meta.dir, "../node_modules/.bin/tsc");
    const compile = Bun.spawnSync([tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "esnext", "--types", "", "answers.ts"], {
      cwd: scratch,
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(compile.stdout.toString() + compile.stderr.toString()).toBe("");
    expect(compile.exitCode).toBe(0);
    expect(
      answers
        .map((a) => a.status)
        .filter((s) => s >= 400)
        .sort(),
    ).toEqual([400, 401, 401, 403, 404]); // the refusals are checked too
  },
  SLOW_MS,
);

test(
  "/asyncapi.json is a valid AsyncAPI 3.1 document (@asyncapi/parser) with every event of the map, both ways, and each acknowledgement",
  async () => {
    const document = await fetchJson("/asyncapi.json");
    const { document: parsed, diagnostics } = await new Parser().parse(document);
    expect(diagnostics.map((d) => `${DiagnosticSeverity[d.severity]} ${d.code} at ${d.path.join(".")}: ${d.message}`)).toEqual([]);
    expect(parsed!.version()).toBe("3.1.0");

    const operations = parsed!.operations().all();
    const received = operations
      .filter((o) => o.action() === "receive")
      .flatMap((o) =>
        o
          .messages()
          .all()
          .map((m) => m.name()),
      );
    const sent = operations
      .filter((o) => o.action() === "send")
      .flatMap((o) =>
        o
          .messages()
          .all()
          .map((m) => m.name()),
      );
    expect(received.sort()).toEqual(
      SOCKET_EVENTS.filter((e) => e.direction.startsWith("client"))
        .map((e) => e.name)
        .sort(),
    );
    expect(sent.sort()).toEqual(
      SOCKET_EVENTS.filter((e) => e.direction.startsWith("server"))
        .map((e) => e.name)
        .sort(),
    );
    const send = operations.find((o) => o.id() === "sendMessage")!;
    expect(send.reply()!.messages().all()[0]!.payload()!.anyOf()!.length).toBe(2); // the message, or the error
    expect(JSON.stringify(document)).not.toContain('"error":"');
  },
  SLOW_MS,
);

test("/docs links both documents and carries the client guide", async () => {
  const page = await (await fetch(`${server.base}/docs`)).text();
  expect(page).toContain('href="/openapi.json"');
  expect(page).toContain('href="/asyncapi.json"');
  for (const point of ["never move them backwards", "retryAfterMs", "too_large", "after: lastSeq, since: lastRev"]) expect(page).toContain(point);
});
