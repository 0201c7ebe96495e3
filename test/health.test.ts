// What operators and tools see: health probes, the API document, the error shape of the HTTP
// edge, and a configuration that stops the server at start when it is wrong.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../src/config";
import { generateVapidKeys } from "../src/push/keys";
import { ChatLoopProcess } from "./chatloop-process";
import { api, closeSockets, snapshot, startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;
const tempDirs: string[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterEach(closeSockets);
afterAll(async () => {
  await stopServer(server);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "chatloop-health-test-"));
  tempDirs.push(dir);
  return dir;
}

/** GET with headers of our choosing; the body as text, since not every answer is JSON. */
async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.base + path, { headers });
  return { status: response.status, type: response.headers.get("content-type") ?? "", text: await response.text() };
}

/** Sends `request` as written on a new connection; the whole answer once the server closes it. */
function rawHttp(request: string): Promise<string> {
  const { hostname, port } = new URL(server.base);
  let answer = "";
  return new Promise((resolve, reject) => {
    Bun.connect({
      hostname,
      port: Number(port),
      socket: {
        open: (socket) => void socket.write(request),
        data: (_socket, chunk) => void (answer += chunk.toString()),
        close: () => resolve(answer),
        error: (_socket, error) => reject(error),
      },
    });
  });
}

// ---- health -----------------------------------------------------------------------------------

describe("health", () => {
  test("GET / answers 200 { status: 'ok' } to an API client", async () => {
    for (const accept of [undefined, "application/json", "*/*"]) {
      const answer = await get("/", accept ? { accept } : {});
      expect(answer.status).toBe(200);
      expect(answer.type).toStartWith("application/json");
      expect(JSON.parse(answer.text)).toEqual({ status: "ok" });
    }
  });

  test("/healthz answers 200 { status: 'ok' }", async () => {
    expect(await api(server, "GET", "/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
  });

  test("/readyz answers 200 { status: 'ready' } while the database answers", async () => {
    const ready = await api(server, "GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: "ready" });
  });

  test("an HTTP/1.0 request without a Host header, as HAProxy's default health check sends, gets the same answer", async () => {
    const response = await rawHttp("GET /readyz HTTP/1.0\r\n\r\n");
    expect(response).toStartWith("HTTP/1.1 200");
    expect(response).toEndWith('{"status":"ready"}');
  });

  test("without its database a server is alive but not ready, and a request that needs the database gets 503 unavailable", async () => {
    const doomed = await startServer(); // a server of its own: this test takes its database away
    try {
      await doomed.sql.end();
      const ready = await api(doomed, "GET", "/readyz");
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: expect.any(String) });
      expect(ready.body.status).not.toBe("ready");
      expect(await api(doomed, "GET", "/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
      const login = await api(doomed, "POST", "/auth/login", { username: "alice", password: "correct horse battery" });
      expect(login).toMatchObject({ status: 503, body: { code: "unavailable", message: expect.any(String) } });
    } finally {
      await stopServer(doomed);
    }
  });
});

// ---- the API document ----------------------------------------------------------------------------

/** Every REST path of the contract with its methods, in OpenAPI's spelling. */
const CONTRACT_PATHS: Record<string, string[]> = {
  "/": ["get"],
  "/auth/register": ["post"],
  "/auth/login": ["post"],
  "/auth/logout": ["post"],
  "/rooms": ["get", "post"],
  "/rooms/{roomId}": ["get"],
  "/rooms/{roomId}/join": ["post"],
  "/rooms/{roomId}/leave": ["post"],
  "/rooms/{roomId}/members": ["get"],
  "/rooms/{roomId}/invites": ["post"],
  "/rooms/{roomId}/members/{userId}": ["delete"],
  "/messages/{roomId}": ["get"],
  "/messages": ["post"],
};

/** The request bodies of the contract: their required fields exactly, and the fields at least. */
const CONTRACT_BODIES: [string, string, { required: string[]; properties: string[] }][] = [
  ["post", "/auth/register", { required: ["password", "username"], properties: ["password", "username"] }],
  ["post", "/auth/login", { required: ["password", "username"], properties: ["password", "username"] }],
  ["post", "/rooms", { required: ["name"], properties: ["isPrivate", "name"] }],
  ["post", "/rooms/{roomId}/invites", { required: ["username"], properties: ["username"] }],
  ["post", "/messages", { required: ["content", "roomId"], properties: ["clientId", "content", "roomId", "senderId"] }],
];

/** The success status each endpoint of the contract's table promises. */
const CONTRACT_SUCCESS: [string, string, string][] = [
  ["get", "/", "200"],
  ["post", "/auth/register", "201"],
  ["post", "/auth/login", "200"],
  ["get", "/rooms", "200"],
  ["post", "/rooms", "201"],
  ["get", "/messages/{roomId}", "200"],
  ["post", "/messages", "201"],
];

describe("the API document", () => {
  let doc: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed document, checked field by field
  beforeAll(async () => {
    const answer = await api(server, "GET", "/openapi.json");
    expect(answer.status).toBe(200);
    doc = answer.body;
  });

  test("/openapi.json is an OpenAPI 3 document whose every $ref resolves and every operationId is unique", () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(typeof doc.paths).toBe("object");

    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node && typeof node === "object") {
        for (const [key, value] of Object.entries(node)) {
          if (key === "$ref" && typeof value === "string") refs.push(value);
          else walk(value);
        }
      }
    };
    walk(doc);
    for (const ref of refs) {
      expect(ref).toStartWith("#/");
      const target = ref
        .slice(2)
        .split("/")
        .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")], doc);
      expect(target).toBeDefined();
    }

    const operationIds = Object.values(doc.paths).flatMap((item) => Object.values(item as object).map((op) => (op as { operationId?: string }).operationId));
    const named = operationIds.filter((id) => id !== undefined);
    expect(new Set(named).size).toBe(named.length);
  });

  // OpenAPI counts templates that differ only in parameter names as one path: GET
  // /messages/{roomId} and PATCH /messages/{messageId} are /messages/{id} there, each
  // parameter described with the contract's name.
  const documented = (path: string) => {
    const shape = (template: string) => template.replace(/\{\w+\}/g, "{}");
    return doc.paths[Object.keys(doc.paths).find((template) => shape(template) === shape(path))!];
  };

  test("/openapi.json lists every REST path of the contract with its methods", () => {
    for (const [path, methods] of Object.entries(CONTRACT_PATHS)) {
      expect({ path, documented: documented(path) !== undefined }).toEqual({ path, documented: true });
      for (const method of methods) expect(documented(path)).toHaveProperty([method]);
    }
  });

  test("every path parameter of the contract is declared, in the path, as required", () => {
    for (const [path, methods] of Object.entries(CONTRACT_PATHS)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      for (const method of methods) {
        const declared: { name: string; required: boolean; description?: string }[] = (documented(path)[method].parameters ?? []).filter((p: { in: string }) => p.in === "path");
        expect(declared.map((p) => (names.includes(p.name) ? p.name : names.find((name) => p.description?.includes(`\`${name}\``)))).sort()).toEqual([...names].sort());
        for (const parameter of declared) expect(parameter.required).toBe(true);
      }
    }
  });

  test.each(CONTRACT_BODIES)("%s %s declares its JSON request body and the body's fields", (method, path, expected) => {
    const body = documented(path)[method].requestBody;
    expect(body).toBeDefined();
    const schema = body.content["application/json"].schema;
    expect(schema.type).toBe("object");
    expect([...schema.required].sort()).toEqual(expected.required);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(expected.properties));
  });

  test("the endpoints that take no body declare none", () => {
    const withBody = new Set(CONTRACT_BODIES.map(([method, path]) => `${method} ${path}`));
    for (const [path, methods] of Object.entries(CONTRACT_PATHS)) {
      for (const method of methods) {
        if (!withBody.has(`${method} ${path}`)) expect({ [`${method} ${path}`]: documented(path)[method].requestBody }).toEqual({ [`${method} ${path}`]: undefined });
      }
    }
  });

  test.each(CONTRACT_SUCCESS)("%s %s documents its success status %s with a JSON schema", (method, path, status) => {
    const response = documented(path)[method].responses?.[status];
    expect(response).toBeDefined();
    expect(response.content["application/json"].schema).toBeDefined();
  });

  test("/docs answers 200 with an HTML page that covers the REST paths and the Socket.IO events", async () => {
    const page = await get("/docs");
    expect(page.status).toBe(200);
    expect(page.type).toStartWith("text/html");
    expect(page.text).toMatch(/^<!doctype html>/i);
    expect(page.text).toContain("/openapi.json");
    for (const path of ["/auth/register", "/auth/login", "/auth/logout", "/rooms", "/messages"]) expect(page.text).toContain(path);
    for (const event of ["joinRoom", "leaveRoom", "sendMessage", "roomJoined", "roomLeft", "newMessage"]) expect(page.text).toContain(event);
  });
});

// ---- errors at the HTTP edge ----------------------------------------------------------------------

describe("errors", () => {
  test.each([
    ["GET", "/no-such-thing"],
    ["POST", "/auth/no-such-thing"],
    ["GET", "/rooms/a/b/c/d"],
    ["PUT", "/auth/login"],
  ])("%s %s answers 404 { code: 'not_found' }", async (method, path) => {
    const answer = await api(server, method, path);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ code: "not_found", message: expect.any(String) });
  });

  test("a body over the size limit is refused with 413 and a JSON error, and changes nothing", async () => {
    const before = await snapshot(server);
    const huge = JSON.stringify({ username: "enormous", password: "p".repeat(server.config.maxBodyBytes + 1) });
    const response = await fetch(server.base + "/auth/register", { method: "POST", headers: { "content-type": "application/json" }, body: huge });
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type") ?? "").toStartWith("application/json");
    expect(await response.json()).toEqual({ code: expect.any(String), message: expect.any(String) });
    expect(await snapshot(server)).toEqual(before);
  });
});

// ---- configuration ------------------------------------------------------------------------------

const GOOD_SECRET = "a-secret-of-exactly-thirty-two-c"; // 32 characters: the shortest allowed
const vapid = generateVapidKeys();
/** What production needs for Web Push, besides JWT_SECRET. */
const PRODUCTION_PUSH = { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: "mailto:ops@chatloop.invalid" };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe("configuration", () => {
  test(".env.example names every variable the configuration reads, and no other", async () => {
    const read = new Set<string>();
    const dataDir = tempDir();
    loadConfig(new Proxy({} as Record<string, string | undefined>, { get: (_, name: string) => (read.add(name), name === "DATA_DIR" ? dataDir : undefined) }));
    const example = await Bun.file(join(import.meta.dir, "../.env.example")).text();
    const named = new Set([...example.matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!));
    expect([...named].sort()).toEqual([...read].sort());
  });

  test("NODE_ENV=production without JWT_SECRET is refused with a ConfigError that names JWT_SECRET", () => {
    const dataDir = tempDir();
    const error = configError({ NODE_ENV: "production", DATA_DIR: dataDir });
    expect(error.message).toContain("JWT_SECRET");
    expect(error.message).toContain("production");
    expect(() => statSync(join(dataDir, "jwt-secret"))).toThrow(); // nothing was generated
  });

  test("an empty JWT_SECRET in production is no secret either", () => {
    expect(configError({ NODE_ENV: "production", JWT_SECRET: "", DATA_DIR: tempDir() }).message).toContain("JWT_SECRET");
  });

  test("a JWT_SECRET shorter than 32 characters is refused, in production and out of it", () => {
    const short = GOOD_SECRET.slice(1);
    expect(short).toHaveLength(31);
    for (const NODE_ENV of ["production", "development"]) {
      const error = configError({ NODE_ENV, JWT_SECRET: short, DATA_DIR: tempDir() });
      expect(error.message).toContain("JWT_SECRET");
      expect(error.message).toContain("32");
    }
  });

  test("a JWT_SECRET of 32 characters is taken as given, in production too", () => {
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: GOOD_SECRET, DATA_DIR: tempDir(), ...PRODUCTION_PUSH }).jwtSecret).toBe(GOOD_SECRET);
  });

  test.each(["abc", "80a", "1.5", "-1", "65536"])("PORT=%s is refused with a ConfigError that names PORT and the value", (port) => {
    const error = configError({ PORT: port, JWT_SECRET: GOOD_SECRET, DATA_DIR: tempDir() });
    expect(error.message).toContain("PORT");
    expect(error.message).toContain(`"${port}"`);
  });

  test("PORT defaults to 3000, and 0 (any free port) and 65535 are accepted", () => {
    const env = { JWT_SECRET: GOOD_SECRET, DATA_DIR: tempDir() };
    expect(loadConfig(env).port).toBe(3000);
    expect(loadConfig({ ...env, PORT: "0" }).port).toBe(0);
    expect(loadConfig({ ...env, PORT: "65535" }).port).toBe(65535);
  });

  test.each([
    ["TOKEN_TTL_SECONDS", "59"],
    ["TOKEN_TTL_SECONDS", "forever"],
    ["MAX_MESSAGE_LENGTH", "0"],
    ["MAX_BODY_BYTES", "1023"],
    ["DATABASE_POOL_SIZE", "0"],
    ["DATABASE_POOL_SIZE", "101"],
    ["PASSWORD_MEMORY_KIB", "4096"],
    ["PASSWORD_TIME_COST", "1"], // 19,456 KiB x 1 is below OWASP's minimum
    ["PASSWORD_TIME_COST", "0"],
    ["LOG_LEVEL", "debug"],
    ["LOG_LEVEL", "WARN"],
  ])("%s=%s is refused with a ConfigError that names it", (name, value) => {
    expect(configError({ [name]: value, JWT_SECRET: GOOD_SECRET, DATA_DIR: tempDir() }).message).toContain(name);
  });

  test("the pool size, the password-hash cost and the log level have safe defaults and take what is given", () => {
    const env = { JWT_SECRET: GOOD_SECRET, DATA_DIR: tempDir() };
    expect(loadConfig(env)).toMatchObject({ databasePoolSize: 10, passwordHashing: { memoryCost: 19456, timeCost: 2 }, logLevel: "info" });
    const given = loadConfig({ ...env, DATABASE_POOL_SIZE: "30", PASSWORD_MEMORY_KIB: "65536", PASSWORD_TIME_COST: "3", LOG_LEVEL: "warn" });
    expect([given.databasePoolSize, given.passwordHashing, given.logLevel]).toEqual([30, { memoryCost: 65536, timeCost: 3 }, "warn"]);
    expect(loadConfig({ ...env, PASSWORD_MEMORY_KIB: "7168", PASSWORD_TIME_COST: "5" }).passwordHashing).toEqual({ memoryCost: 7168, timeCost: 5 });
    expect(loadConfig({ ...env, PASSWORD_MEMORY_KIB: "47104", PASSWORD_TIME_COST: "1" }).passwordHashing).toEqual({ memoryCost: 47104, timeCost: 1 });
  });

  test("without JWT_SECRET outside production, a secret is generated into DATA_DIR/jwt-secret and the same one comes back", () => {
    const dataDir = join(tempDir(), "not", "yet", "there");
    const first = loadConfig({ DATA_DIR: dataDir }).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = join(dataDir, "jwt-secret");
    expect(readFileSync(file, "utf8").trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ DATA_DIR: dataDir }).jwtSecret).toBe(first);
    expect(loadConfig({ DATA_DIR: dataDir, NODE_ENV: "development" }).jwtSecret).toBe(first);
    expect(loadConfig({ DATA_DIR: tempDir() }).jwtSecret).not.toBe(first); // each data folder has its own
  });
});

// ---- the entry point ------------------------------------------------------------------------------

describe("the entry point", () => {
  // A broken build might start a server instead of refusing: the test then times out, and
  // the child must not outlive it.
  const children: ChatLoopProcess[] = [];
  afterAll(() => Promise.all(children.map((child) => child.kill())));

  /** `bun src/main.ts ...args` with only `env` (no test config), run to its end. */
  function run(env: Record<string, string>, args: string[] = []) {
    const child = new ChatLoopProcess([process.execPath, "src/main.ts", ...args], {
      cwd: join(import.meta.dir, ".."),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), ...env },
    });
    children.push(child);
    return child.runToExit();
  }

  test("bun src/main.ts refuses to start in production without JWT_SECRET, says why, and exits with EX_CONFIG", async () => {
    const dataDir = tempDir();
    const { exitCode, stdout, stderr } = await run({ NODE_ENV: "production", DATA_DIR: dataDir, PORT: "0" });
    expect(exitCode).toBe(78);
    expect(stderr).toContain("JWT_SECRET");
    expect(stdout).not.toContain('"started"');
    expect(() => statSync(join(dataDir, "jwt-secret"))).toThrow();
  });

  test("bun src/main.ts refuses PORT=abc the same way", async () => {
    const { exitCode, stderr } = await run({ PORT: "abc", JWT_SECRET: GOOD_SECRET, DATA_DIR: tempDir() });
    expect(exitCode).toBe(78);
    expect(stderr).toContain("PORT");
  });

  test("bun src/main.ts healthcheck exits 0 while the server at HOST:PORT is ready, 1 when nothing answers there", async () => {
    const { port } = new URL(server.base);
    expect((await run({ HOST: "127.0.0.1", PORT: port }, ["healthcheck"])).exitCode).toBe(0);
    expect((await run({ HOST: "0.0.0.0", PORT: port }, ["healthcheck"])).exitCode).toBe(0); // asks the loopback
    const nothing = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    nothing.stop(true); // a port that was free a moment ago
    expect((await run({ HOST: "127.0.0.1", PORT: String(nothing.port) }, ["healthcheck"])).exitCode).toBe(1);
  });
});

// ---- security headers ----------------------------------------------------------------------

describe("security headers", () => {
  test("every answer, JSON or error, forbids sniffing and framing and keeps the referrer at home", async () => {
    for (const path of ["/healthz", "/rooms", "/no-such-thing", "/openapi.json"]) {
      const { headers } = await fetch(server.base + path);
      expect([headers.get("x-content-type-options"), headers.get("x-frame-options"), headers.get("referrer-policy")]).toEqual(["nosniff", "DENY", "same-origin"]);
    }
  });

  test("the docs page may use its own inline style and nothing else: no script, no frame", async () => {
    const csp = (await fetch(server.base + "/docs")).headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("script-src");
  });
});
