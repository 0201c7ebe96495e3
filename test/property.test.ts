// Generated bad input, on every edge: REST bodies, path ids, query values and headers; socket
// events with any payload, extra arguments and acknowledgements; raw Engine.IO frames. Every
// input is invalid by construction (the server's own schemas refuse it, or it names a room the
// caller may not touch), so each property is: an answer within a bounded time, never a 5xx,
// every 4xx exactly `{ message, code }`, no table changed, and /healthz still 200.
// Seeds are fixed: a failure prints its seed and path, and replays with them.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Credentials, LoginCredentials } from "../src/auth/schemas";
import { SendMessage } from "../src/messages/schemas";
import { JoinRoomPayload, LeaveRoomPayload } from "../src/realtime/events";
import { CreateRoom, Invite } from "../src/rooms/schemas";
import { api, closeSockets, connect, createRoom, signUp, snapshot, startServer, stopServer, type ChatSocket, type Person, type TestServer } from "./harness";
import { closeRawSockets, rawConnected } from "./raw-engine-socket";

/** Longest any single request or event may take to be answered. */
const ANSWER_WITHIN_MS = 5000;

let server: TestServer;
let alice: Person, bob: Person;
/** alice's public room, bob is a member; alice's private room, bob is not. */
let lobby: { id: string }, secret: { id: string };

beforeAll(async () => {
  server = await startServer();
  [alice, bob] = await Promise.all([signUp(server, "alice"), signUp(server, "bob")]);
  lobby = await createRoom(server, alice, "lobby");
  secret = await createRoom(server, alice, "secret", true);
  await api(server, "POST", `/rooms/${lobby.id}/join`, undefined, bob.token);
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

/** Runs a property with a fixed seed, and prints how many inputs it tried. */
async function check<T>(name: string, seed: number, numRuns: number, arbitrary: fc.Arbitrary<T>, predicate: (input: T) => Promise<void>) {
  let tried = 0;
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (input) => {
        tried++;
        await predicate(input);
      }),
      { seed, numRuns },
    );
  } finally {
    console.log(`property ${name}: ${tried} inputs (seed ${seed})`);
  }
}

const accepts = (schema: TSchema) => {
  const compiled = TypeCompiler.Compile(schema);
  return (value: unknown) => compiled.Check(value);
};

/** Any JSON value, and objects shaped almost like a good body (the fields, with any values). */
function nearly(fields: string[]): fc.Arbitrary<unknown> {
  const anything = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string(), fc.constant(null), fc.uuid(), fc.integer());
  const shaped = fc.record(Object.fromEntries(fields.map((field) => [field, anything])), { requiredKeys: [] });
  return fc.oneof(fc.jsonValue({ maxDepth: 4 }), shaped, fc.tuple(shaped, fc.dictionary(fc.string({ maxLength: 8 }), anything, { maxKeys: 2 })).map(([a, b]) => ({ ...b, ...a })));
}

/** The table did not move, the server is alive, and a 4xx said exactly `{ message, code }`. */
async function expectRefusedCleanly(response: Response, before: unknown) {
  expect(response.status).toBeLessThan(500);
  expect(response.status).toBeGreaterThanOrEqual(400);
  const text = await response.text();
  const body = JSON.parse(text);
  expect(Object.keys(body).sort()).toEqual(["code", "message"]);
  expect(typeof body.message).toBe("string");
  expect(typeof body.code).toBe("string");
  expect(await snapshot(server)).toEqual(before as never);
}

async function request(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  return fetch(server.base + path, { method, headers: init.headers, body: init.body, redirect: "manual", signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
}

async function expectAlive() {
  const health = await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  expect(health.status).toBe(200);
}

// ---- REST ----------------------------------------------------------------------------------

const bearer = (person: Person) => ({ authorization: `Bearer ${person.token}` });

/** Every endpoint that reads a body, the schema that body must pass, and who asks. */
const bodyEndpoints = [
  { name: "POST /auth/register", path: () => "/auth/register", schema: Credentials, fields: ["username", "password"], as: () => ({}) },
  { name: "POST /auth/login", path: () => "/auth/login", schema: LoginCredentials, fields: ["username", "password"], as: () => ({}) },
  { name: "POST /rooms", path: () => "/rooms", schema: CreateRoom, fields: ["name", "isPrivate"], as: () => bearer(alice) },
  { name: "POST /rooms/:roomId/invites", path: () => `/rooms/${lobby.id}/invites`, schema: Invite, fields: ["username"], as: () => bearer(alice) },
  { name: "POST /messages", path: () => "/messages", schema: SendMessage, fields: ["content", "roomId", "senderId", "clientId"], as: () => bearer(alice) },
];

/** Every endpoint of the contract, and a request each would otherwise accept. */
const everyEndpoint: { name: string; method: string; path: () => string; body?: () => unknown }[] = [
  { name: "GET /", method: "GET", path: () => "/" },
  { name: "POST /auth/register", method: "POST", path: () => "/auth/register", body: () => ({ username: "alice", password: "correct horse battery" }) },
  { name: "POST /auth/login", method: "POST", path: () => "/auth/login", body: () => ({ username: "alice", password: "not her password" }) },
  { name: "POST /auth/logout", method: "POST", path: () => "/auth/logout" },
  { name: "GET /rooms", method: "GET", path: () => "/rooms" },
  { name: "POST /rooms", method: "POST", path: () => "/rooms", body: () => ({ name: "sneaky" }) },
  { name: "GET /rooms/:roomId", method: "GET", path: () => `/rooms/${lobby.id}` },
  { name: "POST /rooms/:roomId/join", method: "POST", path: () => `/rooms/${lobby.id}/join` },
  { name: "POST /rooms/:roomId/leave", method: "POST", path: () => `/rooms/${lobby.id}/leave` },
  { name: "GET /rooms/:roomId/members", method: "GET", path: () => `/rooms/${lobby.id}/members` },
  { name: "POST /rooms/:roomId/invites", method: "POST", path: () => `/rooms/${lobby.id}/invites`, body: () => ({ username: "bob" }) },
  { name: "DELETE /rooms/:roomId/members/:userId", method: "DELETE", path: () => `/rooms/${lobby.id}/members/${bob.id}` },
  { name: "GET /messages/:roomId", method: "GET", path: () => `/messages/${lobby.id}` },
  { name: "POST /messages", method: "POST", path: () => "/messages", body: () => ({ roomId: lobby.id, content: "sneaky" }) },
];

/** Every endpoint with ids in its path, the ids given as they come. */
const pathEndpoints: { name: string; method: string; path: (id: string, other: string) => string; body?: () => unknown }[] = [
  { name: "GET /rooms/:roomId", method: "GET", path: (id) => `/rooms/${id}` },
  { name: "POST /rooms/:roomId/join", method: "POST", path: (id) => `/rooms/${id}/join` },
  { name: "POST /rooms/:roomId/leave", method: "POST", path: (id) => `/rooms/${id}/leave` },
  { name: "GET /rooms/:roomId/members", method: "GET", path: (id) => `/rooms/${id}/members` },
  { name: "POST /rooms/:roomId/invites", method: "POST", path: (id) => `/rooms/${id}/invites`, body: () => ({ username: "bob" }) },
  { name: "DELETE /rooms/:roomId/members/:userId (the room)", method: "DELETE", path: (id) => `/rooms/${id}/members/${bob.id}` },
  { name: "DELETE /rooms/:roomId/members/:userId (the member)", method: "DELETE", path: (id) => `/rooms/${lobby.id}/members/${id}` },
  { name: "DELETE /rooms/:roomId/members/:userId (both)", method: "DELETE", path: (id, other) => `/rooms/${id}/members/${other}` },
  { name: "GET /messages/:roomId", method: "GET", path: (id) => `/messages/${id}` },
];

/**
 * A path segment that names nothing the caller may touch: any text, encoded or raw. Not
 * empty and not a dot segment ("..", "%2e"): the URL would then name another endpoint.
 */
const strangeId = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: "grapheme", maxLength: 20 }).map(encodeURIComponent),
  fc.uuid(), // well formed, but no such room or user
  fc.stringMatching(/^[\w.~%-]{0,40}$/),
  fc.constantFrom("%00", "%2F", "%2e%2e%2f", "null", "undefined", "0", "-1", "00000000-0000-0000-0000-000000000000", "%E0%A4%A", "...", "%20"),
).filter((id) => id !== "" && !/^(\.|%2e){1,2}$/i.test(id));

describe("generated bad REST requests are refused cleanly and change nothing", () => {
  test("any JSON body that fails the endpoint's schema gets a 4xx { message, code }", async () => {
    const input = fc.constantFrom(...bodyEndpoints).chain((endpoint) => {
      const ok = accepts(endpoint.schema);
      return fc.tuple(fc.constant(endpoint), nearly(endpoint.fields).filter((body) => !ok(body)));
    });
    await check("REST bodies", 1001, 1000, input, async ([endpoint, body]) => {
      const before = await snapshot(server);
      const response = await request("POST", endpoint.path(), { headers: { "content-type": "application/json", ...endpoint.as() }, body: JSON.stringify(body) });
      await expectRefusedCleanly(response, before);
    });
    await expectAlive();
  });

  test("any text as a JSON body, valid JSON or not, gets a 4xx { message, code }", async () => {
    const text = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)));
    const input = fc.tuple(fc.constantFrom(...bodyEndpoints), text).filter(([endpoint, body]) => {
      try {
        return !accepts(endpoint.schema)(JSON.parse(body));
      } catch {
        return true;
      }
    });
    await check("REST raw bodies", 1002, 1000, input, async ([endpoint, body]) => {
      const before = await snapshot(server);
      const response = await request("POST", endpoint.path(), { headers: { "content-type": "application/json", ...endpoint.as() }, body });
      await expectRefusedCleanly(response, before);
    });
    await expectAlive();
  });

  test("any text as a path id gets a 4xx { message, code }", async () => {
    const input = fc.tuple(fc.constantFrom(...pathEndpoints), strangeId, strangeId, fc.constantFrom(alice, bob));
    await check("REST path ids", 1003, 1000, input, async ([endpoint, id, other, person]) => {
      const before = await snapshot(server);
      const body = endpoint.body?.();
      const headers = { ...bearer(person), ...(body === undefined ? {} : { "content-type": "application/json" }) };
      const response = await request(endpoint.method, endpoint.path(id, other), { headers, body: body === undefined ? undefined : JSON.stringify(body) });
      await expectRefusedCleanly(response, before);
    });
    await expectAlive();
  });

  test("any query on GET /messages/:roomId is answered without a 5xx, and a 4xx is { message, code }", async () => {
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.double().map(String), fc.constantFrom("", "1e3", "0x10", "9007199254740993", "-0", "NaN", "Infinity", "[]", "{}"));
    const key = fc.oneof(fc.constantFrom("limit", "before", "after", "limit[]", "after[0]"), fc.string({ maxLength: 10 }));
    const query = fc.array(fc.tuple(key, value), { maxLength: 5 }).map((pairs) => new URLSearchParams(pairs).toString());
    const room = fc.oneof(fc.constant("lobby"), fc.constant("secret"), strangeId);
    await check("REST query values", 1004, 1000, fc.tuple(room, query), async ([which, query]) => {
      const roomId = which === "lobby" ? lobby.id : which === "secret" ? secret.id : which;
      const before = await snapshot(server);
      const response = await request("GET", `/messages/${roomId}?${query}`, { headers: bearer(bob) });
      expect(response.status).toBeLessThan(500);
      if (response.status < 300) {
        expect(Array.isArray(await response.json())).toBe(true); // a valid query: a page
        expect(await snapshot(server)).toEqual(before);
      } else await expectRefusedCleanly(response, before);
    });
    await expectAlive();
  });

  test("any subset of strange headers, without a valid token, changes nothing at any endpoint", async () => {
    const printable = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });
    const notAToken = fc.oneof(
      printable(80),
      printable(80).map((t) => `Bearer ${t}`),
      fc.constantFrom("Bearer", "Bearer ", "bearer  x", "Basic YWxpY2U6cGFzcw==", `Bearer ${"A".repeat(2000)}`),
      fc.constant(null).map(() => `Bearer ${alice.token.slice(0, -3)}abc`), // a forged signature
      fc.constant(null).map(() => `Bearer ${alice.token}.${alice.token}`),
    );
    const headers = fc.record(
      {
        authorization: notAToken,
        cookie: fc.oneof(printable(60), printable(60).map((t) => `chatloop_session=${t}`), fc.constantFrom("chatloop_session=%E0%A4%A", "chatloop_session=;chatloop_session=")),
        "content-type": fc.oneof(printable(40), fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-99")),
        accept: fc.oneof(printable(40), fc.constantFrom("text/html", "*/*", "application/json")),
        "x-forwarded-for": printable(40),
        "hx-request": fc.constantFrom("true", "false", ""),
        "accept-encoding": fc.constantFrom("gzip", "br", "identity;q=0", "*"),
      },
      { requiredKeys: [] },
    );
    await check("REST headers", 1005, 1000, fc.tuple(fc.constantFrom(...everyEndpoint), headers), async ([endpoint, headers]) => {
      const before = await snapshot(server);
      const body = endpoint.body?.();
      const response = await request(endpoint.method, endpoint.path(), { headers, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(response.status).toBeLessThan(500);
      // Only GET / (health, or the home page and its fragments) may answer anyone; a browser
      // may be redirected to sign in; everything else is refused.
      if ((endpoint.name === "GET /" && response.status < 400) || (response.status >= 300 && response.status < 400)) {
        await response.arrayBuffer();
        expect(await snapshot(server)).toEqual(before);
      } else await expectRefusedCleanly(response, before);
    });
    await expectAlive();
  });
});

// ---- socket events -------------------------------------------------------------------------

const socketEvents = [
  { event: "joinRoom", schema: JoinRoomPayload, fields: ["roomId", "userId", "after"] },
  { event: "leaveRoom", schema: LeaveRoomPayload, fields: ["roomId", "userId"] },
  { event: "sendMessage", schema: SendMessage, fields: ["content", "roomId", "senderId", "clientId"] },
] as const;

interface Loose {
  emit(event: string, ...args: unknown[]): void;
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer to ${what} within ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS).unref())]);
}

const isErrorBody = (answer: unknown) =>
  typeof answer === "object" && answer !== null && Object.keys(answer).sort().join() === "code,message" && typeof (answer as { message: unknown }).message === "string" && typeof (answer as { code: unknown }).code === "string";

describe("generated bad socket events are refused cleanly and change nothing", () => {
  test("any payload, extra arguments and acknowledgement get an error { message, code }, and the socket stays", async () => {
    const socket: ChatSocket = await connect(server, bob.token);
    const errors: unknown[] = [];
    socket.on("error", (error) => errors.push(error));
    const extra = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.uint8Array({ maxLength: 32 }).map((bytes) => Buffer.from(bytes)));
    const input = fc.constantFrom(...socketEvents).chain(({ event, schema, fields }) => {
      const ok = accepts(schema);
      return fc.record({
        event: fc.constant(event),
        payload: fc.oneof(nearly([...fields]).filter((p) => !ok(p)), fc.uint8Array({ maxLength: 32 }).map((bytes) => Buffer.from(bytes))),
        extras: fc.array(extra, { maxLength: 3 }),
        ack: fc.oneof(fc.constant("function" as const), fc.constant("none" as const), fc.jsonValue({ maxDepth: 1 })),
      });
    });
    await check("socket events", 2001, 1000, input, async ({ event, payload, extras, ack }) => {
      const before = await snapshot(server);
      const heard = errors.length;
      if (ack === "function") {
        const answer = await within(new Promise((resolve) => (socket as unknown as Loose).emit(event, payload, ...extras, resolve)), event);
        expect(isErrorBody(answer)).toBe(true);
      } else {
        (socket as unknown as Loose).emit(event, payload, ...extras, ...(ack === "none" ? [] : [ack]));
      }
      // The flush is refused too (no such room), in order: once it is answered, so was the event.
      expect(isErrorBody(await within(socket.emitWithAck("leaveRoom", { roomId: "flush" }), "the flush"))).toBe(true);
      expect(errors.length).toBe(heard + 2);
      for (const error of errors.slice(heard)) expect(isErrorBody(error)).toBe(true);
      expect(socket.connected).toBe(true);
      expect(await snapshot(server)).toEqual(before);
    });
    await expectAlive();
  });
});

// ---- raw Engine.IO / Socket.IO frames --------------------------------------------------------

afterEach(closeRawSockets);

/** Frames a client could send; the room is one bob may not touch, so no mutation of them is a valid request. */
const validFrames = () => [
  `42["sendMessage",{"roomId":"${secret.id}","content":"hello"}]`,
  `421["sendMessage",{"roomId":"${secret.id}","content":"hello","clientId":"c-1"}]`,
  `42["joinRoom",{"roomId":"${secret.id}","after":0}]`,
  `422["leaveRoom",{"roomId":"${secret.id}","userId":"${bob.id}"}]`,
  `451-["sendMessage",{"_placeholder":true,"num":0}]`,
  `40{"token":"${bob.token}"}`,
  "2",
  "3",
  "6",
];

/** Deletes, inserts, replaces, truncates or repeats a piece of a frame. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("[", "]", "{", "}", '"', ",", "\\", "-", "/", "\u0000", "\ud800", "1e999", "null")) }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), char: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("repeat" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }), times: fc.integer({ min: 2, max: 50 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(frame: string, m: Mutation): string {
  const at = frame.length === 0 ? 0 : m.at % (frame.length + 1);
  switch (m.kind) {
    case "delete":
      return frame.slice(0, at) + frame.slice(at + m.length);
    case "insert":
      return frame.slice(0, at) + m.text + frame.slice(at);
    case "replace":
      return frame.slice(0, at) + m.char + frame.slice(at + 1);
    case "truncate":
      return frame.slice(0, at);
    case "repeat":
      return frame.slice(0, at) + frame.slice(at, at + m.length).repeat(m.times) + frame.slice(at + m.length);
  }
}

describe("generated raw frames on a signed-in WebSocket do not take the server down", () => {
  test("arbitrary text and bytes, and mutations of valid frames, are answered or hung up on, and change nothing", async () => {
    const frame = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.string({ maxLength: 100 }).map((s) => `4${s}`),
      fc.string({ maxLength: 100 }).map((s) => `42${s}`),
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([which, ms]) => {
        const frames = validFrames();
        return ms.reduce(mutate, frames[which % frames.length]!);
      }),
    );
    await check("raw frames", 3001, 600, fc.array(frame, { minLength: 1, maxLength: 3 }), async (sent) => {
      const raw = await rawConnected(server.base, bob.token);
      const before = await snapshot(server);
      const seen = raw.frames.length;
      for (const frame of sent) raw.ws.send(frame);
      // A valid event with an acknowledgement: once it is answered, or the server has hung
      // up, the garbage before it has been dealt with.
      raw.ws.send(`429999["leaveRoom",{"roomId":"flush"}]`);
      const outcome = await raw.until((frame) => frame.startsWith("439999"), seen);
      expect(outcome === "closed" || outcome.startsWith("439999")).toBe(true);
      for (const answer of raw.frames.slice(seen).filter((f) => f.startsWith("43") || f.startsWith('42["error"'))) {
        const args = JSON.parse(answer.replace(/^4[23]\d*/, ""));
        expect(isErrorBody(args.at(-1))).toBe(true);
      }
      expect(raw.frames.filter((frame) => /internal/.test(frame))).toEqual([]);
      expect(await snapshot(server)).toEqual(before);
      raw.ws.close();
      await expectAlive();
    });
    // The server still serves a real client end to end.
    const socket = await connect(server, bob.token);
    await socket.emitWithAck("joinRoom", { roomId: lobby.id });
    const sent = await socket.emitWithAck("sendMessage", { roomId: lobby.id, content: "after the garbage" });
    expect(sent).toMatchObject({ content: "after the garbage", seq: expect.any(Number) });
  });
});
