// Generated bad input, on every edge: REST bodies, path ids, query values and headers; socket
// events with any payload, extra arguments and acknowledgements; raw Engine.IO frames. Every
// input is invalid by construction (the server's own schemas refuse it, or it names a room the
// caller may not touch), so each property is: an answer within a bounded time, never a 5xx,
// every 4xx exactly `{ message, code }`, no table changed, and /healthz still 200.
// Seeds are fixed: a failure prints its seed and path, and replays with them.

import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { isUtf8 } from "node:buffer";
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import fc from "fast-check";
import { Credentials, LoginCredentials } from "../src/auth/schemas";
import { EditMessage, SendMessage } from "../src/messages/schemas";
import { DeleteMessagePayload, EditMessagePayload, JoinRoomPayload, LeaveRoomPayload, ReactPayload, TypingPayload } from "../src/realtime/events";
import { CreateRoom, Invite } from "../src/rooms/schemas";
import { api, type ChatSocket, closeSockets, connect, createRoom, type Person, signUp, snapshot, startServer, stopServer, type TestServer } from "./harness";
import { closeRawSockets, rawConnected } from "./raw-engine-socket";
import { type Answer, exchange, request as rawRequest } from "./raw-http";

/** Longest any single request or event may take to be answered. */
const ANSWER_WITHIN_MS = 5000;

let server: TestServer;
let alice: Person, bob: Person;
/** alice's public room, bob is a member; alice's private room, bob is not; a message of alice's in the public one. */
let lobby: { id: string }, secret: { id: string };
let greeting: { id: string };

beforeAll(async () => {
  server = await startServer();
  await signUp(server, "root"); // the first account, the site admin: bob may not manage alice's rooms
  [alice, bob] = await Promise.all([signUp(server, "alice"), signUp(server, "bob")]);
  lobby = await createRoom(server, alice, "lobby");
  secret = await createRoom(server, alice, "secret", true);
  await api(server, "POST", `/rooms/${lobby.id}/join`, undefined, bob.token);
  greeting = (await api(server, "POST", "/messages", { roomId: lobby.id, content: "hello" }, alice.token)).body;
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

/** Whether the server takes `value`: like Elysia, it drops the properties a schema does not name before checking. */
const accepts = (schema: TSchema) => {
  const compiled = TypeCompiler.Compile(schema);
  return (value: unknown) => compiled.Check(Value.Clean(schema, structuredClone(value)));
};

/** Any JSON value, and objects shaped almost like a good body (the fields, with any values). */
function nearly(fields: string[]): fc.Arbitrary<unknown> {
  const anything = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string(), fc.constant(null), fc.uuid(), fc.integer());
  const shaped = fc.record(Object.fromEntries(fields.map((field) => [field, anything])), { requiredKeys: [] });
  return fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    shaped,
    fc.tuple(shaped, fc.dictionary(fc.string({ maxLength: 8 }), anything, { maxKeys: 2 })).map(([a, b]) => ({ ...b, ...a })),
  );
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
  { name: "POST /messages", path: () => "/messages", schema: SendMessage, fields: ["content", "roomId", "senderId", "clientId", "replyToId"], as: () => bearer(alice) },
  { name: "PATCH /messages/:messageId", path: () => `/messages/${greeting.id}`, schema: EditMessage, fields: ["content"], as: () => bearer(alice) },
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
  { name: "GET /rooms/:roomId/changes", method: "GET", path: () => `/rooms/${lobby.id}/changes?since=0` },
  { name: "PATCH /messages/:messageId", method: "PATCH", path: () => `/messages/${greeting.id}`, body: () => ({ content: "sneaky" }) },
  { name: "DELETE /messages/:messageId", method: "DELETE", path: () => `/messages/${greeting.id}` },
  { name: "PUT /messages/:messageId/reactions/:emoji", method: "PUT", path: () => `/messages/${greeting.id}/reactions/%F0%9F%91%8D` },
  { name: "DELETE /messages/:messageId/reactions/:emoji", method: "DELETE", path: () => `/messages/${greeting.id}/reactions/%F0%9F%91%8D` },
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
  { name: "GET /rooms/:roomId/changes", method: "GET", path: (id) => `/rooms/${id}/changes?since=0` },
  { name: "PATCH /messages/:messageId", method: "PATCH", path: (id) => `/messages/${id}`, body: () => ({ content: "sneaky" }) },
  { name: "DELETE /messages/:messageId", method: "DELETE", path: (id) => `/messages/${id}` },
  // The emoji is not among these: generated text can be one emoji, which is a good request.
  { name: "PUT /messages/:messageId/reactions/:emoji", method: "PUT", path: (id) => `/messages/${id}/reactions/%F0%9F%91%8D` },
  { name: "DELETE /messages/:messageId/reactions/:emoji", method: "DELETE", path: (id) => `/messages/${id}/reactions/%F0%9F%91%8D` },
];

/**
 * A path segment that names nothing the caller may touch: any text, encoded or raw. Not
 * empty and not a dot segment ("..", "%2e"): the URL would then name another endpoint.
 */
const strangeId = fc
  .oneof(
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
    fc.string({ unit: "grapheme", maxLength: 20 }).map(encodeURIComponent),
    fc.uuid(), // well formed, but no such room or user
    fc.stringMatching(/^[\w.~%-]{0,40}$/),
    fc.constantFrom("%00", "%2F", "%2e%2e%2f", "null", "undefined", "0", "-1", "00000000-0000-0000-0000-000000000000", "%E0%A4%A", "...", "%20"),
  )
  .filter((id) => id !== "" && !/^(\.|%2e){1,2}$/i.test(id));

describe("generated bad REST requests are refused cleanly and change nothing", () => {
  test("any JSON body that fails the endpoint's schema gets a 4xx { message, code }", async () => {
    const input = fc.constantFrom(...bodyEndpoints).chain((endpoint) => {
      const ok = accepts(endpoint.schema);
      return fc.tuple(
        fc.constant(endpoint),
        nearly(endpoint.fields).filter((body) => !ok(body)),
      );
    });
    await check("REST bodies", 1001, 1000, input, async ([endpoint, body]) => {
      const before = await snapshot(server);
      const response = await request("POST", endpoint.path(), { headers: { "content-type": "application/json", ...endpoint.as() }, body: JSON.stringify(body) });
      await expectRefusedCleanly(response, before);
    });
    await expectAlive();
  });

  test("any text as a JSON body, valid JSON or not, gets a 4xx { message, code }", async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
    );
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
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.integer().map(String),
      fc.double().map(String),
      fc.constantFrom("", "1e3", "0x10", "9007199254740993", "-0", "NaN", "Infinity", "[]", "{}"),
    );
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
        cookie: fc.oneof(
          printable(60),
          printable(60).map((t) => `chatloop_session=${t}`),
          fc.constantFrom("chatloop_session=%E0%A4%A", "chatloop_session=;chatloop_session="),
        ),
        "content-type": fc.oneof(
          printable(40),
          fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-99"),
        ),
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
  { event: "sendMessage", schema: SendMessage, fields: ["content", "roomId", "senderId", "clientId", "replyToId"] },
  { event: "editMessage", schema: EditMessagePayload, fields: ["messageId", "content"] },
  { event: "deleteMessage", schema: DeleteMessagePayload, fields: ["messageId"] },
  { event: "react", schema: ReactPayload, fields: ["messageId", "emoji"] },
  { event: "unreact", schema: ReactPayload, fields: ["messageId", "emoji"] },
  { event: "typing", schema: TypingPayload, fields: ["roomId"] },
] as const;

interface Loose {
  emit(event: string, ...args: unknown[]): void;
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer to ${what} within ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS).unref()),
  ]);
}

const isErrorBody = (answer: unknown) =>
  typeof answer === "object" &&
  answer !== null &&
  Object.keys(answer).sort().join() === "code,message" &&
  typeof (answer as { message: unknown }).message === "string" &&
  typeof (answer as { code: unknown }).code === "string";

describe("generated bad socket events are refused cleanly and change nothing", () => {
  test("any payload, extra arguments and acknowledgement get an error { message, code }, and the socket stays", async () => {
    const socket: ChatSocket = await connect(server, bob.token);
    const errors: unknown[] = [];
    socket.on("error", (error) => errors.push(error));
    const extra = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.uint8Array({ maxLength: 32 }).map((bytes) => Buffer.from(bytes)),
    );
    const input = fc.constantFrom(...socketEvents).chain(({ event, schema, fields }) => {
      const ok = accepts(schema);
      return fc.record({
        event: fc.constant(event),
        payload: fc.oneof(
          nearly([...fields]).filter((p) => !ok(p)),
          fc.uint8Array({ maxLength: 32 }).map((bytes) => Buffer.from(bytes)),
        ),
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
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("[", "]", "{", "}", '"', ",", "\\", "-", "/", "\u0000", "\ud800", "1e999", "null")),
  }),
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

// ---- text that is not well-formed, on every edge -------------------------------------------

/**
 * Text with a lone UTF-16 surrogate: JSON can carry it ("\ud800"), UTF-8 cannot. Inserted
 * between well-formed graphemes it cannot pair with a neighbour.
 */
const illFormed = fc
  .tuple(fc.string({ unit: "grapheme", maxLength: 8 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ unit: "grapheme", maxLength: 8 }))
  .map(([before, unit, after]) => before + String.fromCharCode(unit) + after)
  .filter((text) => !text.isWellFormed());

/** Text as UTF-8 would spell it if it allowed surrogates (WTF-8): what a careless client sends. */
function wtf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const point = text.codePointAt(i)!;
    if (point > 0xffff) i++; // the low half of a pair
    if (point < 0xd800 || point > 0xdfff) bytes.push(...new TextEncoder().encode(String.fromCodePoint(point)));
    else bytes.push(0xe0 | (point >> 12), 0x80 | ((point >> 6) & 0x3f), 0x80 | (point & 0x3f));
  }
  return new Uint8Array(bytes);
}

/** Bytes that are not UTF-8: a lone surrogate spelt as above, or anything that does not decode. */
const notUtf8 = fc.oneof(
  illFormed.map(wtf8),
  fc.constantFrom([0xff], [0xc0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]).map((b) => new Uint8Array(b)),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).filter((b) => !isUtf8(b)),
);

const percentEscaped = (bytes: Uint8Array) => new TextEncoder().encode([...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""));

/**
 * Bytes that are not UTF-8 as they go into a URL: %-escaped, or raw (no browser sends those).
 * Raw, only bytes from 0x80 up: Bun's own parser refuses control characters in a request line.
 */
const notUtf8InUrl = fc.oneof(
  notUtf8.map(percentEscaped),
  notUtf8.map((bytes) => bytes.filter((b) => b >= 0x80)).filter((bytes) => bytes.length > 0 && !isUtf8(bytes)),
);

const port = () => Number(new URL(server.base).port);
const host = () => new URL(server.base).host;
/** alice's browser, on one of our pages. */
const aliceBrowser = () => ({ cookie: `chatloop_session=${alice.token}`, origin: server.base });
const toHeaders = (headers: Record<string, string>) => Object.entries(headers) as [string, string][];

/** A 4xx over raw HTTP, with `{ message, code }` when the API answered, and no table changed. */
async function expectRawRefusal(answer: Answer, before: unknown, code?: string) {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  if (answer.headers.get("content-type")?.startsWith("application/json")) {
    const body = JSON.parse(answer.body);
    expect(isErrorBody(body)).toBe(true);
    if (code) expect(body.code).toBe(code);
  }
  expect(await snapshot(server)).toEqual(before as never);
}

/** Every JSON body with text in it, valid but for what the property puts in one of its fields. */
const textBodies = [
  { name: "POST /auth/register", path: () => "/auth/register", as: () => ({}), body: () => ({ username: "zelda", password: "correct horse battery" }) },
  { name: "POST /auth/login", path: () => "/auth/login", as: () => ({}), body: () => ({ username: "alice", password: "correct horse battery" }) },
  {
    name: "POST /auth/password",
    path: () => "/auth/password",
    as: () => bearer(bob),
    body: () => ({ currentPassword: "correct horse battery", newPassword: "another horse battery" }),
  },
  { name: "POST /rooms", path: () => "/rooms", as: () => bearer(alice), body: () => ({ name: "a room" }) },
  { name: "POST /rooms/:roomId/invites", path: () => `/rooms/${secret.id}/invites`, as: () => bearer(alice), body: () => ({ username: "bob" }) },
  { name: "POST /messages", path: () => "/messages", as: () => bearer(bob), body: () => ({ roomId: lobby.id, content: "hello", senderId: bob.id, clientId: "c-1" }) },
];

/** Every form of the browser's pages, valid but for what the property puts in one of its fields. */
const textForms = [
  { name: "POST /signin", path: () => "/signin", fields: () => ({ username: "alice", password: "correct horse battery" }) },
  { name: "POST /register", path: () => "/register", fields: () => ({ username: "zelda", password: "correct horse battery" }) },
  { name: "POST /chat/rooms", path: () => "/chat/rooms", fields: () => ({ name: "a room", isPrivate: "true" }) },
  { name: "POST /chat/rooms/:roomId/invites", path: () => `/chat/rooms/${secret.id}/invites`, fields: () => ({ username: "bob" }) },
  { name: "POST /chat/rooms/:roomId/messages", path: () => `/chat/rooms/${lobby.id}/messages`, fields: () => ({ content: "hello" }) },
];

/** The pages with ids in their path, beside the API's (pathEndpoints). */
const pagePaths: { name: string; method: string; path: (id: string, other: string) => string }[] = [
  { name: "GET /chat/rooms/:roomId", method: "GET", path: (id) => `/chat/rooms/${id}` },
  { name: "GET /chat/rooms/:roomId/messages", method: "GET", path: (id) => `/chat/rooms/${id}/messages` },
  { name: "GET /chat/rooms/:roomId/members", method: "GET", path: (id) => `/chat/rooms/${id}/members` },
  { name: "POST /chat/rooms/:roomId/join", method: "POST", path: (id) => `/chat/rooms/${id}/join` },
  { name: "POST /chat/rooms/:roomId/leave", method: "POST", path: (id) => `/chat/rooms/${id}/leave` },
  { name: "POST /chat/rooms/:roomId/members/:userId/remove", method: "POST", path: (id, other) => `/chat/rooms/${id}/members/${other}/remove` },
];

describe("text that is not well-formed Unicode is refused on every edge, and changes nothing", () => {
  test("a lone surrogate in any string of any JSON body is refused as invalid_input", async () => {
    const input = fc.tuple(fc.constantFrom(...textBodies), fc.nat(), illFormed);
    await check("lone surrogates in JSON bodies", 4001, 300, input, async ([endpoint, field, text]) => {
      const body: Record<string, unknown> = endpoint.body();
      const name = Object.keys(body)[field % Object.keys(body).length]!;
      const before = await snapshot(server);
      const response = await request("POST", endpoint.path(), {
        headers: { "content-type": "application/json", ...endpoint.as() },
        body: JSON.stringify({ ...body, [name]: text }),
      });
      expect(response.status).toBe(400);
      expect((await response.clone().json()).code).toBe("invalid_input");
      await expectRefusedCleanly(response, before);
    });
    await expectAlive();
  });

  test("bytes that are not UTF-8 in any field of any JSON body or page form are refused as invalid_input", async () => {
    const json = fc.tuple(fc.constantFrom(...textBodies), fc.nat(), notUtf8).map(([endpoint, field, bad]) => {
      const text = JSON.stringify(endpoint.body());
      const fields = [...text.matchAll(/":"/g)]; // where each string value starts
      const at = fields[field % fields.length]!.index! + 3;
      const body = new Uint8Array([...new TextEncoder().encode(text.slice(0, at)), ...bad, ...new TextEncoder().encode(text.slice(at))]);
      return { path: endpoint.path(), headers: { "content-type": "application/json", ...endpoint.as() }, body };
    });
    const form = fc.tuple(fc.constantFrom(...textForms), fc.nat(), notUtf8, fc.boolean()).map(([endpoint, field, bad, escaped]) => {
      const fields = Object.entries(endpoint.fields());
      const index = field % fields.length;
      const parts = fields.map(([name, value], i) => [
        new TextEncoder().encode(`${i ? "&" : ""}${name}=`),
        i === index ? (escaped ? percentEscaped(bad) : bad) : new TextEncoder().encode(encodeURIComponent(value)),
      ]);
      return {
        path: endpoint.path(),
        headers: { "content-type": "application/x-www-form-urlencoded", ...aliceBrowser() },
        body: new Uint8Array(parts.flat().flatMap((p) => [...p])),
      };
    });
    await check("bytes that are not UTF-8 in bodies", 4002, 300, fc.oneof(json, form), async ({ path, headers, body }) => {
      const before = await snapshot(server);
      const answer = await exchange(port(), rawRequest({ method: "POST", target: path, headers: toHeaders(headers), body }, host()), ANSWER_WITHIN_MS);
      expect(answer.status).toBe(400);
      await expectRawRefusal(answer, before, "invalid_input");
    });
    await expectAlive();
  });

  test("an id in any path with a lone surrogate or bytes that are not UTF-8, escaped or raw, gets a 4xx", async () => {
    const api = pathEndpoints.map((e) => ({
      ...e,
      headers: () => ({ ...bearer(alice), ...(e.body ? { "content-type": "application/json" } : {}) }),
      body: () => (e.body ? JSON.stringify(e.body()) : undefined),
    }));
    const pages = pagePaths.map((e) => ({ ...e, headers: aliceBrowser, body: () => undefined }));
    const input = fc.tuple(fc.constantFrom(...api, ...pages), notUtf8InUrl, fc.boolean());
    await check("ids that are not UTF-8 in paths", 4003, 300, input, async ([endpoint, bad, asRoom]) => {
      const [room, other] = asRoom ? ["\u0001", bob.id] : [lobby.id, "\u0001"];
      const [start, end] = endpoint.path(room, other).split("\u0001") as [string, string];
      const target = new Uint8Array([...new TextEncoder().encode(start), ...bad, ...new TextEncoder().encode(end ?? "")]);
      const before = await snapshot(server);
      const answer = await exchange(
        port(),
        rawRequest({ method: endpoint.method, target, headers: toHeaders(endpoint.headers()), body: endpoint.body() }, host()),
        ANSWER_WITHIN_MS,
      );
      await expectRawRefusal(answer, before);
    });
    await expectAlive();
  });

  test("a query value with a lone surrogate or bytes that are not UTF-8, escaped or raw, gets a 4xx", async () => {
    const api = fc.constantFrom("limit", "before", "after").map((key) => ({ key, path: () => `/messages/${lobby.id}`, headers: () => bearer(bob) }));
    const page = fc.constant({ key: "before", path: () => `/chat/rooms/${lobby.id}/messages`, headers: () => ({ ...aliceBrowser(), "hx-request": "true" }) });
    await check("query values that are not UTF-8", 4004, 300, fc.tuple(fc.oneof(api, page), notUtf8InUrl), async ([endpoint, bad]) => {
      const target = new Uint8Array([...new TextEncoder().encode(`${endpoint.path()}?${endpoint.key}=`), ...bad]);
      const before = await snapshot(server);
      const answer = await exchange(port(), rawRequest({ method: "GET", target, headers: toHeaders(endpoint.headers()) }, host()), ANSWER_WITHIN_MS);
      await expectRawRefusal(answer, before);
    });
    await expectAlive();
  });

  test("a lone surrogate in any string of any event's payload gets an error invalid_input, and the socket stays", async () => {
    const socket: ChatSocket = await connect(server, bob.token);
    const errors: unknown[] = [];
    socket.on("error", (error) => errors.push(error));
    const payloads = {
      joinRoom: () => ({ roomId: lobby.id, userId: bob.id }),
      leaveRoom: () => ({ roomId: lobby.id, userId: bob.id }),
      sendMessage: () => ({ roomId: lobby.id, content: "hello", senderId: bob.id, clientId: "c-1", replyToId: greeting.id }),
      editMessage: () => ({ messageId: greeting.id, content: "hello again" }),
      deleteMessage: () => ({ messageId: greeting.id }),
      react: () => ({ messageId: greeting.id, emoji: "👍" }),
      unreact: () => ({ messageId: greeting.id, emoji: "👍" }),
      typing: () => ({ roomId: lobby.id }),
    };
    const input = fc.tuple(fc.constantFrom(...socketEvents.map((e) => e.event)), fc.nat(), illFormed);
    await check("lone surrogates in socket events", 4005, 300, input, async ([event, field, text]) => {
      const payload: Record<string, unknown> = payloads[event]();
      const name = Object.keys(payload)[field % Object.keys(payload).length]!;
      const before = await snapshot(server);
      const heard = errors.length;
      const answer = await within((socket as unknown as Loose).emitWithAck(event, { ...payload, [name]: text }), event);
      expect(isErrorBody(answer)).toBe(true);
      expect((answer as { code: string }).code).toBe("invalid_input");
      expect(errors.slice(heard)).toEqual([answer]);
      expect(socket.connected).toBe(true);
      expect(await snapshot(server)).toEqual(before);
    });
    await expectAlive();
  });

  test("an event sent over long-polling with bytes that are not UTF-8 is refused, and the session keeps working", async () => {
    const socket: ChatSocket = await connect(server, bob.token, ["polling"]);
    await socket.emitWithAck("leaveRoom", { roomId: "flush" }); // idle: no post of its own in flight
    const input = fc.tuple(fc.constantFrom(...socketEvents.map((e) => e.event)), notUtf8);
    await check("socket packets that are not UTF-8", 4006, 300, input, async ([event, bad]) => {
      const packet = new Uint8Array([...new TextEncoder().encode(`42["${event}",{"roomId":"${lobby.id}","content":"`), ...bad, ...new TextEncoder().encode('"}]')]);
      const before = await snapshot(server);
      const posted = await fetch(`${server.base}/socket.io/?EIO=4&transport=polling&sid=${socket.io.engine.id}`, {
        method: "POST",
        body: packet,
        signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
      });
      expect(posted.status).toBe(400);
      expect(isErrorBody(await posted.json())).toBe(true);
      expect(await snapshot(server)).toEqual(before);
    });
    const sent = await socket.emitWithAck("sendMessage", { roomId: lobby.id, content: "still here over long-polling" });
    expect(sent).toMatchObject({ content: "still here over long-polling", seq: expect.any(Number) });
  });
});
