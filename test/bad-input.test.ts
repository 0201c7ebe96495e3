// Bad input, on every edge: each refused request answers with the right status and code, a
// body that is exactly `{ message, code }` and tells nothing of the server's insides, and
// leaves every table as it was. Then the same for the socket's events, and for traffic that
// is not even valid Socket.IO.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { TokenSigner } from "../src/auth/tokens";
import { SOCKET_EVENTS } from "../src/realtime/events";
import { TEXT_FORMATS } from "../src/schemas";
import { api, type ChatSocket, closeSockets, connect, createRoom, flush, next, type Person, reply, signUp, snapshot, startServer, stopServer, type TestServer } from "./harness";
import { closeRawSockets, rawConnected, rawEngineSocket } from "./raw-engine-socket";
import { exchange } from "./raw-http";

let server: TestServer;
let alice: Person, bob: Person, mallory: Person;

/** Everything a row may refer to; the rows are written before the server exists. */
interface Fixtures {
  alice: Person;
  bob: Person;
  mallory: Person;
  /** alice's public room; bob is a member, mallory is not. */
  lobby: { id: string };
  /** alice's private room; only she is a member. */
  secret: { id: string };
  /** alice's public room that bob and mallory have not joined. */
  strangers: { id: string };
  /** Tokens that must not be taken. */
  expired: string;
  foreign: string;
  unsigned: string;
  revoked: string;
}
let f: Fixtures;

const PASSWORD = "correct horse battery";
const OVER_64_KIB = "x".repeat(70 * 1024);

beforeAll(async () => {
  server = await startServer();
  await signUp(server, "root"); // the first account, the site admin: nobody below may manage others' rooms
  [alice, bob, mallory] = await Promise.all([signUp(server, "alice"), signUp(server, "bob"), signUp(server, "mallory")]);
  const [lobby, secret, strangers] = [await createRoom(server, alice, "lobby"), await createRoom(server, alice, "secret", true), await createRoom(server, alice, "strangers")];
  await api(server, "POST", `/rooms/${lobby.id}/join`, undefined, bob.token);

  const expiredAt = new Date(Date.now() - 60_000);
  const expired = await new TokenSigner(server.config.jwtSecret).sign({ userId: alice.id, sessionId: crypto.randomUUID(), expiresAt: expiredAt });
  const inAnHour = new Date(Date.now() + 3600_000);
  const foreign = await new TokenSigner("another-secret-that-is-long-enough-for-hs256").sign({ userId: alice.id, sessionId: crypto.randomUUID(), expiresAt: inAnHour });
  const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ sub: alice.id, sid: crypto.randomUUID(), exp: Math.floor(inAnHour.getTime() / 1000) })}.`;
  const revoked = (await api(server, "POST", "/auth/login", { username: "alice", password: PASSWORD })).body.token;
  expect((await api(server, "POST", "/auth/logout", undefined, revoked)).status).toBe(204);

  f = { alice, bob, mallory, lobby, secret, strangers, expired, foreign, unsigned, revoked };
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

// ---- the REST table ------------------------------------------------------------------------

interface HttpCase {
  method: string;
  path: (f: Fixtures) => string;
  /** The raw body; a `ReadableStream` goes out chunked, without a Content-Length. */
  body?: (f: Fixtures) => string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>;
  /** The request's headers; by default JSON (with a body) and alice's token. */
  headers?: (f: Fixtures) => Record<string, string>;
  status: number;
  code: unknown;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const asAlice = (f: Fixtures) => bearer(f.alice.token);
const asBob = (f: Fixtures) => bearer(f.bob.token);
const asMallory = (f: Fixtures) => bearer(f.mallory.token);
const anonymous = () => ({});
const json = (value: unknown) => () => JSON.stringify(value);

/** The endpoints that take a body, and a body each would accept. */
const bodyEndpoints: { name: string; method: string; path: (f: Fixtures) => string; auth: (f: Fixtures) => Record<string, string>; valid: (f: Fixtures) => object }[] = [
  { name: "POST /auth/register", method: "POST", path: () => "/auth/register", auth: anonymous, valid: () => ({ username: "zelda", password: PASSWORD }) },
  { name: "POST /auth/login", method: "POST", path: () => "/auth/login", auth: anonymous, valid: () => ({ username: "alice", password: PASSWORD }) },
  { name: "POST /rooms", method: "POST", path: () => "/rooms", auth: asAlice, valid: () => ({ name: "a new room" }) },
  { name: "POST /rooms/:roomId/invites", method: "POST", path: (f) => `/rooms/${f.lobby.id}/invites`, auth: asAlice, valid: () => ({ username: "mallory" }) },
  { name: "POST /messages", method: "POST", path: () => "/messages", auth: asAlice, valid: (f) => ({ roomId: f.lobby.id, content: "hello" }) },
];

/** The endpoints that name a room in the path. */
const roomPathEndpoints: { name: string; method: string; path: (roomId: string, f: Fixtures) => string; body?: (f: Fixtures) => string }[] = [
  { name: "GET /rooms/:roomId", method: "GET", path: (id) => `/rooms/${id}` },
  { name: "POST /rooms/:roomId/join", method: "POST", path: (id) => `/rooms/${id}/join` },
  { name: "POST /rooms/:roomId/leave", method: "POST", path: (id) => `/rooms/${id}/leave` },
  { name: "GET /rooms/:roomId/members", method: "GET", path: (id) => `/rooms/${id}/members` },
  { name: "POST /rooms/:roomId/invites", method: "POST", path: (id) => `/rooms/${id}/invites`, body: json({ username: "bob" }) },
  { name: "DELETE /rooms/:roomId/members/:userId", method: "DELETE", path: (id, f) => `/rooms/${id}/members/${f.bob.id}` },
  { name: "GET /messages/:roomId", method: "GET", path: (id) => `/messages/${id}` },
];

/** Every endpoint that needs a token, with a request it would otherwise accept. */
const authedEndpoints: { name: string; method: string; path: (f: Fixtures) => string; body?: (f: Fixtures) => string }[] = [
  { name: "GET /rooms", method: "GET", path: () => "/rooms" },
  { name: "POST /rooms", method: "POST", path: () => "/rooms", body: json({ name: "sneaky" }) },
  { name: "POST /auth/logout", method: "POST", path: () => "/auth/logout" },
  { name: "GET /messages/:roomId", method: "GET", path: (f) => `/messages/${f.lobby.id}` },
  { name: "POST /messages", method: "POST", path: () => "/messages", body: (f) => JSON.stringify({ roomId: f.lobby.id, content: "sneaky" }) },
  ...roomPathEndpoints.map((e) => ({ ...e, path: (f: Fixtures) => e.path(f.lobby.id, f) })),
];

/** The text with two bytes that are not UTF-8 at the start of its last JSON string value (or form value). */
function notUtf8(text: string): Uint8Array<ArrayBuffer> {
  const at = text.includes('":"') ? text.lastIndexOf('":"') + 3 : text.lastIndexOf("=") + 1;
  const encode = (part: string) => new TextEncoder().encode(part);
  return new Uint8Array([...encode(text.slice(0, at)), 0xff, 0xfe, ...encode(text.slice(at))]);
}

/** alice's browser on one of our pages, posting a form. */
const aliceForm = (f: Fixtures) => ({ cookie: `chatloop_session=${f.alice.token}`, origin: server.base, "content-type": "application/x-www-form-urlencoded" });

const chunked = (text: string) => () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      const bytes = new TextEncoder().encode(text);
      for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192));
      controller.close();
    },
  });

const httpCases: [string, HttpCase][] = [
  // Bodies that are not JSON, or JSON of the wrong shape, on every endpoint that takes one.
  ...bodyEndpoints.flatMap(({ name, method, path, auth, valid }): [string, HttpCase][] => [
    [`${name} with malformed JSON is refused as invalid_json`, { method, path, headers: auth, body: () => "{", status: 400, code: "invalid_json" }],
    [
      `${name} with truncated JSON is refused as invalid_json`,
      { method, path, headers: auth, body: (f) => JSON.stringify(valid(f)).slice(0, -1), status: 400, code: "invalid_json" },
    ],
    [
      `${name} with a JSON array around a good body is refused as invalid_input`,
      { method, path, headers: auth, body: (f) => JSON.stringify([valid(f)]), status: 400, code: "invalid_input" },
    ],
    [
      `${name} with a good body encoded as a JSON string is refused as invalid_input`,
      { method, path, headers: auth, body: (f) => JSON.stringify(JSON.stringify(valid(f))), status: 400, code: "invalid_input" },
    ],
    [`${name} with JSON null is refused as invalid_input`, { method, path, headers: auth, body: () => "null", status: 400, code: "invalid_input" }],
    [`${name} with a JSON number is refused as invalid_input`, { method, path, headers: auth, body: () => "42", status: 400, code: "invalid_input" }],
    [`${name} with an empty object is refused as invalid_input`, { method, path, headers: auth, body: () => "{}", status: 400, code: "invalid_input" }],
    [`${name} with an empty body is refused as invalid_input`, { method, path, headers: auth, body: () => "", status: 400, code: "invalid_input" }],
    // Decoded leniently they would be U+FFFD, stored as if the client had sent it.
    [
      `${name} with bytes that are not UTF-8 in a string is refused as invalid_input`,
      { method, path, headers: auth, body: (f) => notUtf8(JSON.stringify(valid(f))), status: 400, code: "invalid_input" },
    ],
    [
      `${name} with a body over 64 KiB is refused as too large`,
      { method, path, headers: auth, body: (f) => JSON.stringify({ ...valid(f), padding: OVER_64_KIB }), status: 413, code: "body_too_large" },
    ],
    [
      `${name} with a chunked body over 64 KiB is refused as too large`,
      { method, path, headers: auth, body: (f) => chunked(JSON.stringify({ ...valid(f), padding: OVER_64_KIB }))(), status: 413, code: "body_too_large" },
    ],
  ]),
  [
    "POST /rooms with a body nested 20,000 levels deep (160 KB) is refused as too large, in JSON",
    { method: "POST", path: () => "/rooms", body: () => '{"name":'.repeat(20_000) + '"x"' + "}".repeat(20_000), status: 413, code: "body_too_large" },
  ],
  [
    "POST /rooms with a body of 20 MiB is refused as too large, in JSON and unread",
    { method: "POST", path: () => "/rooms", body: () => JSON.stringify({ name: "x".repeat(20 * 1024 * 1024) }), status: 413, code: "body_too_large" },
  ],
  [
    "POST /messages with a chunked body of 1 MiB is refused as too large",
    {
      method: "POST",
      path: () => "/messages",
      body: (f) => chunked(JSON.stringify({ roomId: f.lobby.id, content: "hello", padding: "x".repeat(1024 * 1024) }))(),
      status: 413,
      code: "body_too_large",
    },
  ],

  // Missing fields and wrong types, field by field.
  [
    "POST /auth/register without a password is refused as invalid_input",
    { method: "POST", path: () => "/auth/register", headers: anonymous, body: json({ username: "zelda" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/register without a username is refused as invalid_input",
    { method: "POST", path: () => "/auth/register", headers: anonymous, body: json({ password: PASSWORD }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/register with an object for the username is refused as invalid_input",
    { method: "POST", path: () => "/auth/register", headers: anonymous, body: json({ username: { $ne: "" }, password: PASSWORD }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/register with a number for the username is refused as invalid_input",
    { method: "POST", path: () => "/auth/register", headers: anonymous, body: json({ username: 12345, password: PASSWORD }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/register with a number for the password is refused as invalid_input",
    { method: "POST", path: () => "/auth/register", headers: anonymous, body: json({ username: "zelda", password: 12345678 }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/register with a password too short is refused as invalid_input",
    { method: "POST", path: () => "/auth/register", headers: anonymous, body: json({ username: "zelda", password: "short" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/register with a space in the username is refused as invalid_input",
    { method: "POST", path: () => "/auth/register", headers: anonymous, body: json({ username: "zel da", password: PASSWORD }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/login with an object for the username is refused as invalid_input",
    { method: "POST", path: () => "/auth/login", headers: anonymous, body: json({ username: { $ne: "" }, password: PASSWORD }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/login with a number for the password is refused as invalid_input",
    { method: "POST", path: () => "/auth/login", headers: anonymous, body: json({ username: "alice", password: 12345678 }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/login without a password is refused as invalid_input",
    { method: "POST", path: () => "/auth/login", headers: anonymous, body: json({ username: "alice" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/login with empty strings is refused as invalid_input",
    { method: "POST", path: () => "/auth/login", headers: anonymous, body: json({ username: "", password: "" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/login with the wrong password is refused as invalid_credentials",
    { method: "POST", path: () => "/auth/login", headers: anonymous, body: json({ username: "alice", password: "wrong horse battery" }), status: 401, code: "invalid_credentials" },
  ],
  [
    "POST /auth/login with a NUL character in the username is refused as invalid_input",
    { method: "POST", path: () => "/auth/login", headers: anonymous, body: json({ username: "ali\u0000ce", password: PASSWORD }), status: 400, code: "invalid_input" },
  ],
  // A lone UTF-16 surrogate has no UTF-8 form; JSON.stringify spells it as an escape, "\ud800".
  [
    "POST /auth/register with a lone surrogate in the username is refused as invalid_input",
    { method: "POST", path: () => "/auth/register", headers: anonymous, body: json({ username: "zel\ud800da", password: PASSWORD }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/register with a lone surrogate in the password is refused as invalid_input",
    { method: "POST", path: () => "/auth/register", headers: anonymous, body: json({ username: "zelda", password: "correct horse \udfff" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/login with a lone surrogate in the username is refused as invalid_input",
    { method: "POST", path: () => "/auth/login", headers: anonymous, body: json({ username: "alice\ud83d", password: PASSWORD }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /auth/login with a lone surrogate in the password is refused as invalid_input",
    { method: "POST", path: () => "/auth/login", headers: anonymous, body: json({ username: "alice", password: "\ude42" }), status: 400, code: "invalid_input" },
  ],
  ["POST /rooms with a number for the name is refused as invalid_input", { method: "POST", path: () => "/rooms", body: json({ name: 5 }), status: 400, code: "invalid_input" }],
  [
    "POST /rooms with an object for the name is refused as invalid_input",
    { method: "POST", path: () => "/rooms", body: json({ name: { toString: "x" } }), status: 400, code: "invalid_input" },
  ],
  [
    'POST /rooms with the string "true" for isPrivate is refused as invalid_input',
    { method: "POST", path: () => "/rooms", body: json({ name: "typed", isPrivate: "true" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /rooms with the number 1 for isPrivate is refused as invalid_input",
    { method: "POST", path: () => "/rooms", body: json({ name: "typed", isPrivate: 1 }), status: 400, code: "invalid_input" },
  ],
  ["POST /rooms with a blank name is refused as invalid_input", { method: "POST", path: () => "/rooms", body: json({ name: "   " }), status: 400, code: "invalid_input" }],
  [
    "POST /rooms with a name of 81 characters is refused as invalid_input",
    { method: "POST", path: () => "/rooms", body: json({ name: "n".repeat(81) }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /rooms with a NUL character in the name is refused as invalid_input",
    { method: "POST", path: () => "/rooms", body: json({ name: "nul\u0000room" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /rooms with a lone surrogate in the name is refused as invalid_input",
    { method: "POST", path: () => "/rooms", body: json({ name: "lobby \ud800" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /rooms/:roomId/invites with an object for the username is refused as invalid_input",
    { method: "POST", path: (f) => `/rooms/${f.lobby.id}/invites`, body: json({ username: { $ne: "" } }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /rooms/:roomId/invites with a number for the username is refused as invalid_input",
    { method: "POST", path: (f) => `/rooms/${f.lobby.id}/invites`, body: json({ username: 42 }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /rooms/:roomId/invites with a lone surrogate in the username is refused as invalid_input",
    { method: "POST", path: (f) => `/rooms/${f.lobby.id}/invites`, body: json({ username: "bob\udfff" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /rooms/:roomId/invites of an unknown user is refused as user_not_found",
    { method: "POST", path: (f) => `/rooms/${f.lobby.id}/invites`, body: json({ username: "nobody" }), status: 404, code: "user_not_found" },
  ],
  [
    "POST /rooms/:roomId/invites by someone who is not the owner is refused as not_the_owner",
    { method: "POST", path: (f) => `/rooms/${f.lobby.id}/invites`, headers: asBob, body: json({ username: "mallory" }), status: 403, code: "not_the_owner" },
  ],
  [
    "POST /messages with a number for the content is refused as invalid_input",
    { method: "POST", path: () => "/messages", body: (f) => JSON.stringify({ roomId: f.lobby.id, content: 42 }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /messages without content is refused as invalid_input",
    { method: "POST", path: () => "/messages", body: (f) => JSON.stringify({ roomId: f.lobby.id }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /messages with empty content is refused as invalid_input",
    { method: "POST", path: () => "/messages", body: (f) => JSON.stringify({ roomId: f.lobby.id, content: "" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /messages with blank content is refused as empty_message",
    { method: "POST", path: () => "/messages", body: (f) => JSON.stringify({ roomId: f.lobby.id, content: " \n\t " }), status: 400, code: "empty_message" },
  ],
  [
    "POST /messages with content over the length cap is refused as message_too_long",
    { method: "POST", path: () => "/messages", body: (f) => JSON.stringify({ roomId: f.lobby.id, content: "x".repeat(4001) }), status: 413, code: "message_too_long" },
  ],
  [
    "POST /messages with a NUL character in the content is refused as invalid_input",
    { method: "POST", path: () => "/messages", body: (f) => JSON.stringify({ roomId: f.lobby.id, content: "nul\u0000byte" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /messages without a roomId is refused as invalid_input",
    { method: "POST", path: () => "/messages", body: json({ content: "hello" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /messages with a malformed roomId is refused as invalid_input",
    { method: "POST", path: () => "/messages", body: json({ roomId: "lobby", content: "hello" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /messages with a number for the roomId is refused as invalid_input",
    { method: "POST", path: () => "/messages", body: json({ roomId: 1, content: "hello" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /messages to an unknown room is refused as room_not_found",
    { method: "POST", path: () => "/messages", body: json({ roomId: crypto.randomUUID(), content: "hello" }), status: 404, code: "room_not_found" },
  ],
  [
    "POST /messages to someone else's private room is refused as room_not_found",
    { method: "POST", path: () => "/messages", headers: asMallory, body: (f) => JSON.stringify({ roomId: f.secret.id, content: "hello" }), status: 404, code: "room_not_found" },
  ],
  [
    "POST /messages to a public room not joined is refused as not_a_member",
    { method: "POST", path: () => "/messages", headers: asBob, body: (f) => JSON.stringify({ roomId: f.strangers.id, content: "hello" }), status: 403, code: "not_a_member" },
  ],
  [
    "POST /messages with a malformed senderId is refused as invalid_input",
    { method: "POST", path: () => "/messages", body: (f) => JSON.stringify({ roomId: f.lobby.id, content: "hello", senderId: "alice" }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /messages with someone else's senderId is refused as not_yourself",
    {
      method: "POST",
      path: () => "/messages",
      headers: asBob,
      body: (f) => JSON.stringify({ roomId: f.lobby.id, content: "hello", senderId: f.alice.id }),
      status: 403,
      code: "not_yourself",
    },
  ],
  [
    "POST /messages with an object for the clientId is refused as invalid_input",
    { method: "POST", path: () => "/messages", body: (f) => JSON.stringify({ roomId: f.lobby.id, content: "hello", clientId: {} }), status: 400, code: "invalid_input" },
  ],
  [
    "POST /messages with spaces in the clientId is refused as invalid_input",
    {
      method: "POST",
      path: () => "/messages",
      body: (f) => JSON.stringify({ roomId: f.lobby.id, content: "hello", clientId: "my message 1" }),
      status: 400,
      code: "invalid_input",
    },
  ],
  [
    "POST /messages with a lone surrogate in the clientId is refused as invalid_input",
    { method: "POST", path: () => "/messages", body: (f) => JSON.stringify({ roomId: f.lobby.id, content: "hello", clientId: "c-\udc00" }), status: 400, code: "invalid_input" },
  ],
  // The composer's form, as a browser never sends it.
  [
    "POST /chat/rooms/:roomId/messages with a %-escape that spells a lone surrogate is refused as invalid_input",
    { method: "POST", path: (f) => `/chat/rooms/${f.lobby.id}/messages`, headers: aliceForm, body: () => "content=a%ED%A0%80b", status: 400, code: "invalid_input" },
  ],
  [
    "POST /chat/rooms/:roomId/messages with a broken %-escape is refused as invalid_input",
    { method: "POST", path: (f) => `/chat/rooms/${f.lobby.id}/messages`, headers: aliceForm, body: () => "content=100%", status: 400, code: "invalid_input" },
  ],
  [
    "POST /chat/rooms/:roomId/messages with bytes that are not UTF-8 is refused as invalid_input",
    { method: "POST", path: (f) => `/chat/rooms/${f.lobby.id}/messages`, headers: aliceForm, body: () => notUtf8("content=hello"), status: 400, code: "invalid_input" },
  ],

  // Ids in paths: malformed, unknown, and hidden.
  ...roomPathEndpoints.flatMap(({ name, method, path, body }): [string, HttpCase][] => [
    [`${name} with a malformed room id is refused as invalid_input`, { method, path: (f) => path("lobby", f), body, status: 400, code: "invalid_input" }],
    [`${name} with the room id in capitals is refused as invalid_input`, { method, path: (f) => path(f.lobby.id.toUpperCase(), f), body, status: 400, code: "invalid_input" }],
    [`${name} with SQL for a room id is refused as invalid_input`, { method, path: (f) => path(encodeURIComponent("' or '1'='1"), f), body, status: 400, code: "invalid_input" }],
    [
      `${name} with a room id of hex digits without dashes is refused as invalid_input`,
      { method, path: (f) => path(f.lobby.id.replaceAll("-", ""), f), body, status: 400, code: "invalid_input" },
    ],
    [`${name} with an unknown room id is refused as room_not_found`, { method, path: (f) => path(crypto.randomUUID(), f), body, status: 404, code: "room_not_found" }],
    [
      `${name} with the id of someone else's private room is refused as room_not_found`,
      { method, path: (f) => path(f.secret.id, f), headers: asMallory, body, status: 404, code: "room_not_found" },
    ],
  ]),
  [
    "DELETE /rooms/:roomId/members/:userId with a malformed user id is refused as invalid_input",
    { method: "DELETE", path: (f) => `/rooms/${f.lobby.id}/members/bob`, status: 400, code: "invalid_input" },
  ],
  [
    "DELETE /rooms/:roomId/members/:userId with an unknown user id is refused as member_not_found",
    { method: "DELETE", path: (f) => `/rooms/${f.lobby.id}/members/${crypto.randomUUID()}`, status: 404, code: "member_not_found" },
  ],
  [
    "DELETE /rooms/:roomId/members/:userId by someone who is not the owner is refused as not_the_owner",
    { method: "DELETE", path: (f) => `/rooms/${f.lobby.id}/members/${f.alice.id}`, headers: asBob, status: 403, code: "not_the_owner" },
  ],
  [
    "POST /rooms/:roomId/leave of a room not joined is refused as not_a_member",
    { method: "POST", path: (f) => `/rooms/${f.strangers.id}/leave`, headers: asBob, status: 403, code: "not_a_member" },
  ],

  // History cursors.
  ...(
    [
      ["limit=0", "a limit of 0"],
      ["limit=201", "a limit over 200"],
      ["limit=abc", "a limit that is not a number"],
      ["limit=1.5", "a fractional limit"],
      ["before=-1", "a negative before"],
      ["after=x", "an after that is not a number"],
      ["after=99999999999999999999", "an after beyond any seq"],
      ["before=99999999999999999999", "a before beyond any seq"],
    ] as const
  ).map(([query, what]): [string, HttpCase] => [
    `GET /messages/:roomId with ${what} (${query}) is refused as invalid_input`,
    { method: "GET", path: (f) => `/messages/${f.lobby.id}?${query}`, status: 400, code: "invalid_input" },
  ]),

  // Credentials: missing and bad, on every endpoint that needs them.
  ...authedEndpoints.flatMap(({ name, method, path, body }): [string, HttpCase][] => [
    [`${name} without a token is refused as missing_token`, { method, path, body, headers: anonymous, status: 401, code: "missing_token" }],
    [`${name} with a garbage token is refused as invalid_token`, { method, path, body, headers: () => bearer("garbage"), status: 401, code: "invalid_token" }],
  ]),
  ["GET /rooms with an expired token is refused as invalid_token", { method: "GET", path: () => "/rooms", headers: (f) => bearer(f.expired), status: 401, code: "invalid_token" }],
  [
    "GET /rooms with a token signed with another secret is refused as invalid_token",
    { method: "GET", path: () => "/rooms", headers: (f) => bearer(f.foreign), status: 401, code: "invalid_token" },
  ],
  [
    "GET /rooms with an unsigned (alg none) token is refused as invalid_token",
    { method: "GET", path: () => "/rooms", headers: (f) => bearer(f.unsigned), status: 401, code: "invalid_token" },
  ],
  [
    "GET /rooms with a token revoked by logout is refused as invalid_token",
    { method: "GET", path: () => "/rooms", headers: (f) => bearer(f.revoked), status: 401, code: "invalid_token" },
  ],
  [
    "GET /rooms with a truncated token is refused as invalid_token",
    { method: "GET", path: () => "/rooms", headers: (f) => bearer(f.alice.token.slice(0, -10)), status: 401, code: "invalid_token" },
  ],
  [
    'GET /rooms with "Bearer" and no token is refused as missing_token',
    { method: "GET", path: () => "/rooms", headers: () => ({ authorization: "Bearer" }), status: 401, code: "missing_token" },
  ],
  [
    "GET /rooms with a Basic authorization is refused as missing_token",
    { method: "GET", path: () => "/rooms", headers: () => ({ authorization: `Basic ${btoa(`alice:${PASSWORD}`)}` }), status: 401, code: "missing_token" },
  ],
  [
    "GET /rooms with a token but no Bearer scheme is refused as missing_token",
    { method: "GET", path: () => "/rooms", headers: (f) => ({ authorization: f.alice.token }), status: 401, code: "missing_token" },
  ],
  [
    "GET /rooms with a garbage session cookie is refused as invalid_token",
    { method: "GET", path: () => "/rooms", headers: () => ({ cookie: "chatloop_session=garbage" }), status: 401, code: "invalid_token" },
  ],
  [
    "GET /rooms with a session cookie that is not valid percent-encoding is refused as invalid_token",
    { method: "GET", path: () => "/rooms", headers: () => ({ cookie: "chatloop_session=%E0%A4%A" }), status: 401, code: "invalid_token" },
  ],
];

async function send(c: HttpCase) {
  const body = c.body?.(f);
  const headers = c.headers ? c.headers(f) : asAlice(f);
  let response: Response;
  try {
    response = await fetch(server.base + c.path(f), {
      method: c.method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body,
    });
  } catch (error) {
    return { status: 0, type: null, body: `no answer: ${error}` }; // the connection was cut
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = `not JSON: ${JSON.stringify(text.slice(0, 200))}`;
  }
  return { status: response.status, type: response.headers.get("content-type"), body: parsed };
}

/** A message for a client: no stack trace, no SQL, no file of ours. */
function expectNothingLeaks(message: string): void {
  expect(message).not.toMatch(/\n\s*at |\bat \S+ \(|:\d+:\d+\)/);
  expect(message).not.toMatch(/\.(ts|js|mjs|cjs)\b|node_modules|\/work\/|\/home\/|\/tmp\/|file:\/\//);
  expect(message).not.toMatch(
    /PostgresError|SQLSTATE|\bselect\b[\s\S]*\bfrom\b|\binsert into\b|\bdelete from\b|\bupdate \w+ set\b|relation "|violates|constraint|syntax error|invalid byte sequence|out of range for type|\bbigint\b|\bpg_/i,
  );
}

function expectErrorBody(body: unknown, code: unknown): void {
  expect(body).toEqual({ message: expect.any(String), code });
  expect(Object.keys(body as object).sort()).toEqual(["code", "message"]);
  expectNothingLeaks((body as { message: string }).message);
}

describe("REST: every bad request is refused, says why in { message, code }, and changes nothing", () => {
  test.each(httpCases)("%s", async (_, c) => {
    const before = await snapshot(server);
    const answer = await send(c);
    expect(answer.status).toBe(c.status);
    expect(answer.type).toMatch(/^application\/json/);
    expectErrorBody(answer.body, c.code);
    expect(await snapshot(server)).toEqual(before);
  });
});

describe("REST: unknown fields are ignored, never stored", () => {
  test("POST /rooms ignores an ownerId, an id, a last_seq and a createdAt", async () => {
    const planted = crypto.randomUUID();
    const created = await api(
      server,
      "POST",
      "/rooms",
      { name: "mass assignment", ownerId: bob.id, owner_id: bob.id, id: planted, last_seq: 99, lastSeq: 99, createdAt: "2001-01-01T00:00:00.000Z" },
      alice.token,
    );
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: "mass assignment",
      isPrivate: false,
      ownerId: alice.id,
      createdAt: expect.any(String),
      kind: "room",
      topic: null,
      archivedAt: null,
    });
    expect(created.body.id).not.toBe(planted);
    const [row] = await server.sql`select owner_id, last_seq::int as last_seq, created_at from rooms where id = ${created.body.id}`;
    expect(row).toMatchObject({ owner_id: alice.id, last_seq: 0 });
    expect(row!.created_at.getFullYear()).toBeGreaterThan(2001);
    expect(await server.sql`select 1 from rooms where id = ${planted}`).toHaveLength(0);
    const members = await api(server, "GET", `/rooms/${created.body.id}/members`, undefined, alice.token);
    expect(members.body.map((m: { username: string; isOwner: boolean }) => [m.username, m.isOwner])).toEqual([["alice", true]]);
    const first = await api(server, "POST", "/messages", { roomId: created.body.id, content: "first" }, alice.token);
    expect(first.body.seq).toBe(1);
  });

  test("POST /messages ignores a seq, an id, a createdAt and a username", async () => {
    const room = await createRoom(server, alice, "mass messages");
    const planted = crypto.randomUUID();
    const sent = await api(
      server,
      "POST",
      "/messages",
      { roomId: room.id, content: "hi", seq: 77, id: planted, createdAt: "2001-01-01T00:00:00.000Z", username: "bob", sender_id: bob.id },
      alice.token,
    );
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ roomId: room.id, seq: 1, senderId: alice.id, username: "alice", content: "hi" });
    expect(sent.body.id).not.toBe(planted);
    const [row] = await server.sql`select id, seq::int as seq, sender_id, created_at from messages where room_id = ${room.id}`;
    expect(row).toMatchObject({ id: sent.body.id, seq: 1, sender_id: alice.id });
    expect(row!.created_at.getFullYear()).toBeGreaterThan(2001);
    const [counter] = await server.sql`select last_seq::int as last_seq from rooms where id = ${room.id}`;
    expect(counter!.last_seq).toBe(1);
  });

  test("POST /auth/register ignores an id, a createdAt and a password hash", async () => {
    const planted = crypto.randomUUID();
    const registered = await api(server, "POST", "/auth/register", {
      username: "trudy",
      password: PASSWORD,
      id: planted,
      createdAt: "2001-01-01T00:00:00.000Z",
      password_hash: "x",
      passwordHash: "x",
      isAdmin: true,
      is_admin: true,
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({ id: expect.any(String), username: "trudy", createdAt: expect.any(String), isAdmin: false, avatarUrl: expect.any(String) });
    expect(registered.body.id).not.toBe(planted);
    const [row] = await server.sql`select id, password_hash, created_at from users where username = 'trudy'`;
    expect(row!.id).toBe(registered.body.id);
    expect(row!.password_hash).toStartWith("$argon2id$");
    expect(row!.created_at.getFullYear()).toBeGreaterThan(2001);
    expect((await api(server, "POST", "/auth/login", { username: "trudy", password: PASSWORD })).status).toBe(200);
  });

  test("POST /rooms/:roomId/invites adds the named user only, never as an owner", async () => {
    const room = await createRoom(server, alice, "mass invites", true);
    const invited = await api(server, "POST", `/rooms/${room.id}/invites`, { username: "bob", userId: mallory.id, isOwner: true }, alice.token);
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ userId: bob.id, username: "bob", isOwner: false });
    const members = await api(server, "GET", `/rooms/${room.id}/members`, undefined, alice.token);
    expect(members.body.map((m: { username: string; isOwner: boolean }) => [m.username, m.isOwner])).toEqual([
      ["alice", true],
      ["bob", false],
    ]);
  });

  test("sendMessage on the socket ignores a seq, an id and a createdAt", async () => {
    const room = await createRoom(server, alice, "mass socket");
    const socket = await connect(server, alice.token);
    const planted = crypto.randomUUID();
    const sent = (await loose(socket).emitWithAck("sendMessage", { roomId: room.id, content: "hi", seq: 41, id: planted, createdAt: "2001-01-01T00:00:00.000Z" })) as {
      id: string;
      seq: number;
      createdAt: string;
    };
    expect(sent).toMatchObject({ roomId: room.id, seq: 1, senderId: alice.id, content: "hi" });
    expect(sent.id).not.toBe(planted);
    expect(new Date(sent.createdAt).getFullYear()).toBeGreaterThan(2001);
    const [row] = await server.sql`select id, seq::int as seq from messages where room_id = ${room.id}`;
    expect(row).toEqual({ id: sent.id, seq: 1 });
  });
});

// ---- the socket ----------------------------------------------------------------------------

/** The socket without its typed events, to send what the types would not allow. */
function loose(socket: ChatSocket) {
  return socket as unknown as {
    emit(event: string, ...args: unknown[]): void;
    emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
  };
}

/** Every `error` a socket receives, from now on. */
function errorsOf(socket: ChatSocket) {
  const errors: unknown[] = [];
  socket.on("error", (error) => errors.push(error));
  return errors;
}

/** A public room of alice's with two messages, that bob has not joined. */
async function busyRoom() {
  const room = await createRoom(server, alice, "busy");
  for (const content of ["one", "two"]) await api(server, "POST", "/messages", { roomId: room.id, content }, alice.token);
  return room;
}

type Event = "joinRoom" | "leaveRoom" | "sendMessage";
interface SocketCase {
  event: Event;
  /** The arguments before the acknowledgement callback. */
  args: (f: Fixtures) => unknown[] | Promise<unknown[]>;
  code: string;
}

const validPayload: Record<Event, (f: Fixtures) => Record<string, unknown>> = {
  joinRoom: (f) => ({ roomId: f.lobby.id }),
  leaveRoom: (f) => ({ roomId: f.lobby.id }),
  sendMessage: (f) => ({ roomId: f.lobby.id, content: "hello" }),
};

const socketCases: [string, SocketCase][] = [
  ...(["joinRoom", "leaveRoom", "sendMessage"] as const).flatMap((event): [string, SocketCase][] => [
    [`${event} with no payload at all is refused as invalid_input`, { event, args: () => [], code: "invalid_input" }],
    [`${event} with null is refused as invalid_input`, { event, args: () => [null], code: "invalid_input" }],
    [`${event} with a string is refused as invalid_input`, { event, args: (f) => [f.lobby.id], code: "invalid_input" }],
    [`${event} with a number is refused as invalid_input`, { event, args: () => [42], code: "invalid_input" }],
    [`${event} with an array around a good payload is refused as invalid_input`, { event, args: (f) => [[validPayload[event](f)]], code: "invalid_input" }],
    [`${event} with an empty object is refused as invalid_input`, { event, args: () => [{}], code: "invalid_input" }],
    [`${event} with a number for the roomId is refused as invalid_input`, { event, args: (f) => [{ ...validPayload[event](f), roomId: 42 }], code: "invalid_input" }],
    [
      `${event} with an object for the roomId is refused as invalid_input`,
      { event, args: (f) => [{ ...validPayload[event](f), roomId: { id: f.lobby.id } }], code: "invalid_input" },
    ],
    [`${event} with a malformed roomId is refused as invalid_input`, { event, args: (f) => [{ ...validPayload[event](f), roomId: "lobby" }], code: "invalid_input" }],
    // In capitals it would name another Socket.IO room than the one its messages go to.
    [
      `${event} with the roomId in capitals is refused as invalid_input`,
      { event, args: (f) => [{ ...validPayload[event](f), roomId: f.lobby.id.toUpperCase() }], code: "invalid_input" },
    ],
    [`${event} with SQL for a roomId is refused as invalid_input`, { event, args: (f) => [{ ...validPayload[event](f), roomId: "' or '1'='1" }], code: "invalid_input" }],
    [`${event} with an unknown roomId is refused as room_not_found`, { event, args: (f) => [{ ...validPayload[event](f), roomId: crypto.randomUUID() }], code: "room_not_found" }],
    [
      `${event} with the id of someone else's private room is refused as room_not_found`,
      { event, args: (f) => [{ ...validPayload[event](f), roomId: f.secret.id }], code: "room_not_found" },
    ],
    [
      `${event} with a malformed user id is refused as invalid_input`,
      { event, args: (f) => [{ ...validPayload[event](f), [event === "sendMessage" ? "senderId" : "userId"]: "bob" }], code: "invalid_input" },
    ],
    [
      `${event} with a number for the user id is refused as invalid_input`,
      { event, args: (f) => [{ ...validPayload[event](f), [event === "sendMessage" ? "senderId" : "userId"]: 7 }], code: "invalid_input" },
    ],
    [
      `${event} with someone else's user id is refused as not_yourself`,
      { event, args: (f) => [{ ...validPayload[event](f), [event === "sendMessage" ? "senderId" : "userId"]: f.alice.id }], code: "not_yourself" },
    ],
  ]),
  ["joinRoom with a negative after is refused as invalid_input", { event: "joinRoom", args: (f) => [{ roomId: f.lobby.id, after: -1 }], code: "invalid_input" }],
  ["joinRoom with a fractional after is refused as invalid_input", { event: "joinRoom", args: (f) => [{ roomId: f.lobby.id, after: 1.5 }], code: "invalid_input" }],
  [
    "joinRoom with an after beyond the safe integers is refused as invalid_input",
    { event: "joinRoom", args: (f) => [{ roomId: f.lobby.id, after: 2 ** 60 }], code: "invalid_input" },
  ],
  ["joinRoom with null for after is refused as invalid_input", { event: "joinRoom", args: (f) => [{ roomId: f.lobby.id, after: null }], code: "invalid_input" }],
  ["joinRoom with a string for after is refused as invalid_input", { event: "joinRoom", args: async () => [{ roomId: (await busyRoom()).id, after: "1" }], code: "invalid_input" }],
  [
    'joinRoom with the string "1.0" for after is refused as invalid_input',
    { event: "joinRoom", args: async () => [{ roomId: (await busyRoom()).id, after: "1.0" }], code: "invalid_input" },
  ],
  ["leaveRoom of a public room not joined is refused as not_a_member", { event: "leaveRoom", args: (f) => [{ roomId: f.strangers.id }], code: "not_a_member" }],
  ["sendMessage with a number for the content is refused as invalid_input", { event: "sendMessage", args: (f) => [{ roomId: f.lobby.id, content: 42 }], code: "invalid_input" }],
  [
    "sendMessage with an object for the content is refused as invalid_input",
    { event: "sendMessage", args: (f) => [{ roomId: f.lobby.id, content: { text: "hi" } }], code: "invalid_input" },
  ],
  ["sendMessage without content is refused as invalid_input", { event: "sendMessage", args: (f) => [{ roomId: f.lobby.id }], code: "invalid_input" }],
  ["sendMessage with empty content is refused as invalid_input", { event: "sendMessage", args: (f) => [{ roomId: f.lobby.id, content: "" }], code: "invalid_input" }],
  ["sendMessage with blank content is refused as empty_message", { event: "sendMessage", args: (f) => [{ roomId: f.lobby.id, content: "  \n " }], code: "empty_message" }],
  [
    "sendMessage with content one character over the length cap is refused as message_too_long",
    { event: "sendMessage", args: (f) => [{ roomId: f.lobby.id, content: "x".repeat(4001) }], code: "message_too_long" },
  ],
  [
    "sendMessage with content over the cap in astral characters is refused as message_too_long",
    { event: "sendMessage", args: (f) => [{ roomId: f.lobby.id, content: "🦆".repeat(4001) }], code: "message_too_long" },
  ],
  [
    "sendMessage with a NUL character in the content is refused as invalid_input",
    { event: "sendMessage", args: (f) => [{ roomId: f.lobby.id, content: "nul\u0000byte" }], code: "invalid_input" },
  ],
  [
    "sendMessage with an object for the clientId is refused as invalid_input",
    { event: "sendMessage", args: (f) => [{ roomId: f.lobby.id, content: "hi", clientId: { id: 1 } }], code: "invalid_input" },
  ],
  [
    "sendMessage with a clientId of 101 characters is refused as invalid_input",
    { event: "sendMessage", args: (f) => [{ roomId: f.lobby.id, content: "hi", clientId: "c".repeat(101) }], code: "invalid_input" },
  ],
  [
    "sendMessage with a lone surrogate in the clientId is refused as invalid_input",
    { event: "sendMessage", args: (f) => [{ roomId: f.lobby.id, content: "hi", clientId: "c-\ud800" }], code: "invalid_input" },
  ],
  ["sendMessage to a public room not joined is refused as not_a_member", { event: "sendMessage", args: (f) => [{ roomId: f.strangers.id, content: "hi" }], code: "not_a_member" }],
];

describe("the socket: every bad event gets an error and an acknowledgement, changes nothing, and the connection stays usable", () => {
  test.each(socketCases)("%s", async (_, c) => {
    const socket = await connect(server, bob.token);
    const errors = errorsOf(socket);
    const args = await c.args(f);
    const before = await snapshot(server);

    const ack = await loose(socket).emitWithAck(c.event, ...args);
    expect(ack).toEqual({ message: expect.any(String), code: c.code });
    expectErrorBody(ack, c.code);
    expect(errors).toEqual([ack]); // the `error` event goes out before the acknowledgement
    expect(await snapshot(server)).toEqual(before);

    const sent = await socket.emitWithAck("sendMessage", { roomId: f.lobby.id, content: `still here after: ${c.event}` });
    expect(sent).toMatchObject({ roomId: f.lobby.id, senderId: bob.id, content: `still here after: ${c.event}`, seq: expect.any(Number) });
    expect(socket.connected).toBe(true);
  });

  test.each(["bogus", "JoinRoom", "send_message", "newMessage", "roomJoined", "constructor", "toString", "hasOwnProperty", "__proto__"])(
    "an unknown event %p gets an error with code unknown_event, changes nothing, and the connection stays usable",
    async (event) => {
      const socket = await connect(server, bob.token);
      const errors = errorsOf(socket);
      const before = await snapshot(server);
      loose(socket).emit(event, { roomId: f.lobby.id, content: "hello" });
      await flush(socket);
      // The first error answers the unknown event; the second is flush's own refused leaveRoom.
      expect(errors).toHaveLength(2);
      expect(errors[0]).toEqual({ message: expect.any(String), code: "unknown_event" });
      expect(await snapshot(server)).toEqual(before);
      const sent = await socket.emitWithAck("sendMessage", { roomId: f.lobby.id, content: "still here" });
      expect(sent).toMatchObject({ content: "still here", seq: expect.any(Number) });
    },
  );

  test("an unknown event sent with an acknowledgement callback is answered through it too", async () => {
    const socket = await connect(server, bob.token);
    let answer: unknown = "no answer";
    loose(socket).emit("bogus", { roomId: f.lobby.id }, (reply: unknown) => (answer = reply));
    await flush(socket);
    expect(answer).toEqual({ message: expect.any(String), code: "unknown_event" });
  });

  test.each(["websocket", "polling"] as const)(
    "a 100,000-character sendMessage over %s (a frame over 64 KiB) gets too_large through the error event and the acknowledgement, and the connection stays",
    async (transport) => {
      const socket = await connect(server, bob.token, [transport]);
      const errors = errorsOf(socket);
      const before = await snapshot(server);
      const ack = await socket.emitWithAck("sendMessage", { roomId: f.lobby.id, content: "x".repeat(100_000), clientId: "big-1" });
      expect(ack).toEqual({ message: expect.stringContaining("at most 65536"), code: "too_large" });
      expect(errors).toEqual([ack]);
      expect(await snapshot(server)).toEqual(before);
      const sent = await socket.emitWithAck("sendMessage", { roomId: f.lobby.id, content: "after the big one" });
      expect(sent).toMatchObject({ content: "after the big one", seq: expect.any(Number) });
      expect(socket.connected).toBe(true);
    },
  );

  test.each(["websocket", "polling"] as const)(
    "a frame over the read limit (1 MiB) closes that %s connection, stores nothing, and the server keeps serving everyone else",
    async (transport) => {
      const listener = await connect(server, alice.token);
      await listener.emitWithAck("joinRoom", { roomId: f.lobby.id });
      const big = await connect(server, bob.token, [transport]);
      const before = await snapshot(server);

      const gone = new Promise<string>((resolve) => big.once("disconnect", resolve));
      big.emit("sendMessage", { roomId: f.lobby.id, content: "x".repeat(1024 * 1024 + 1) });
      await gone;
      expect(big.connected).toBe(false);
      expect(await snapshot(server)).toEqual(before);

      const heard = next(listener, "newMessage");
      const other = await connect(server, bob.token, [transport]);
      const sent = await other.emitWithAck("sendMessage", { roomId: f.lobby.id, content: "a normal message" });
      expect(await heard).toEqual(sent as never);
      expect(listener.connected).toBe(true);
    },
  );

  test("an oversize event that is not one of ours is still answered, as an unknown event", async () => {
    const socket = await connect(server, bob.token);
    const answer = await loose(socket).emitWithAck("bogus", { padding: OVER_64_KIB });
    expect(answer).toEqual({ message: expect.any(String), code: "unknown_event" });
    expect(socket.connected).toBe(true);
  });
});

// ---- text that is not well-formed Unicode ---------------------------------------------------

describe("text with a lone UTF-16 surrogate is refused at the edge, and breaks no one else's send", () => {
  const NOT_WELL_FORMED = { code: "invalid_input", message: "content: must be well-formed Unicode text" };

  test('POST /messages with the content "a\\ud800b" is refused as invalid_input, and nothing is stored', async () => {
    const before = await snapshot(server);
    const answer = await api(server, "POST", "/messages", { roomId: f.lobby.id, content: "a\ud800b" }, alice.token);
    expect(reply(answer)).toEqual({ status: 400, body: NOT_WELL_FORMED });
    expect(await snapshot(server)).toEqual(before);
  });

  test("sendMessage over Socket.IO with a lone surrogate gets an error invalid_input, and nothing is stored", async () => {
    const socket = await connect(server, bob.token);
    const errors = errorsOf(socket);
    const before = await snapshot(server);
    const ack = await loose(socket).emitWithAck("sendMessage", { roomId: f.lobby.id, content: "\ude42" });
    expect(ack).toEqual(NOT_WELL_FORMED);
    expect(errors).toEqual([ack]);
    expect(await snapshot(server)).toEqual(before);
  });

  // Sends that arrive together are stored in one statement: one bad text there used to fail them all.
  test("a lone surrogate sent among other people's messages is refused alone, and every other message is stored", async () => {
    const room = await createRoom(server, alice, "crowded");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const [aliceSocket, bobSocket] = await Promise.all([connect(server, alice.token), connect(server, bob.token)]);
    const good = Array.from({ length: 20 }, (_, i) => (i % 2 ? aliceSocket : bobSocket).emitWithAck("sendMessage", { roomId: room.id, content: `good ${i}` }));
    const bad = loose(bobSocket).emitWithAck("sendMessage", { roomId: room.id, content: "bad \ud800" });
    const more = Array.from({ length: 20 }, (_, i) => api(server, "POST", "/messages", { roomId: room.id, content: `more ${i}` }, alice.token));
    expect(await bad).toEqual(NOT_WELL_FORMED);
    expect((await Promise.all(good)).map((message) => (message as { content: string }).content)).toEqual(Array.from({ length: 20 }, (_, i) => `good ${i}`));
    expect((await Promise.all(more)).map((answer) => answer.status)).toEqual(Array(20).fill(201));
    const [stored] = await server.sql`select count(*)::int as count from messages where room_id = ${room.id}`;
    expect(stored!.count).toBe(40);
  });
});

// So that no new field can forget the check: every string a client sends is a Text (src/schemas.ts).
describe("every string a client can send is checked to be well-formed Unicode", () => {
  /** Elysia's numeric strings in queries: digits, not text. */
  const NUMERIC = new Set(["integer", "numeric"]);

  /** Where in a JSON schema a string is taken without the check. */
  function unchecked(schema: Record<string, any> | undefined, where: string): string[] {
    if (!schema || typeof schema !== "object") return [];
    // A literal (`const`, or an `enum` of them) matches exact strings: nothing else gets through.
    const here =
      schema.type === "string" && schema.const === undefined && schema.enum === undefined && !TEXT_FORMATS.has(schema.format) && !NUMERIC.has(schema.format) ? [where] : [];
    const inside: [Record<string, any>, string][] = [
      ...Object.entries(schema.properties ?? {}).map(([name, child]): [Record<string, any>, string] => [child as Record<string, any>, `${where}.${name}`]),
      ...[...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].map((child): [Record<string, any>, string] => [child, where]),
      ...[schema.items, schema.additionalProperties, ...Object.values(schema.patternProperties ?? {})].map((child): [Record<string, any>, string] => [child, `${where}[]`]),
    ];
    return [...here, ...inside.flatMap(([child, path]) => unchecked(child, path))];
  }

  test("in every request body, path parameter and query of the API document", async () => {
    const doc = (await api(server, "GET", "/openapi.json")).body;
    const found = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) => [
        ...(operation.parameters ?? []).flatMap((parameter: any) => unchecked(parameter.schema, `${method} ${path} ${parameter.in} ${parameter.name}`)),
        ...Object.entries(operation.requestBody?.content ?? {}).flatMap(([type, content]: [string, any]) => unchecked(content.schema, `${method} ${path} ${type} body`)),
      ]),
    );
    expect(found).toEqual([]);
  });

  test("in every event a client sends", () => {
    const fromClients = SOCKET_EVENTS.filter((event) => event.direction === "client → server");
    expect(fromClients.map((event) => event.name)).toEqual(expect.arrayContaining(["joinRoom", "leaveRoom", "sendMessage"]));
    expect(fromClients.flatMap((event) => unchecked(event.payload as Record<string, any>, event.name))).toEqual([]);
  });
});

// ---- below Socket.IO: raw Engine.IO traffic ------------------------------------------------

afterEach(closeRawSockets);

/** A fresh official client can still connect, join, send and hear, and /healthz answers. */
async function expectServerStillServes() {
  expect((await api(server, "GET", "/healthz")).status).toBe(200);
  const socket = await connect(server, bob.token);
  await socket.emitWithAck("joinRoom", { roomId: f.lobby.id });
  const heard = next(socket, "newMessage");
  const sent = await socket.emitWithAck("sendMessage", { roomId: f.lobby.id, content: "after the garbage" });
  expect(sent).toMatchObject({ content: "after the garbage", seq: expect.any(Number) });
  expect(await heard).toEqual(sent as never);
}

const deeplyNested = `42["joinRoom",${"[".repeat(20_000)}${"]".repeat(20_000)}]`;
const garbageFrames: [string, string | Uint8Array<ArrayBuffer>][] = [
  ["an event packet cut short (42[)", "42["],
  ["a message packet with nothing in it (4)", "4"],
  ["an unknown packet type (99)", "99"],
  ["binary junk", new Uint8Array([0xff, 0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef])],
  ["an event that is an object, not an array (42{})", "42{}"],
  ["an event whose JSON is cut short", '42["joinRoom",{"roomId":'],
  ["an event named null", "42[null]"],
  ["an event named with a number", "42[1,2,3]"],
  ["an event nested 20,000 arrays deep", deeplyNested],
  ["an event to a namespace never connected", '42/nowhere,["joinRoom",{}]'],
  ["a binary event whose attachment never comes", '451-["sendMessage",{"_placeholder":true,"num":0}]'],
  ["an acknowledgement nobody asked for", '431["anything"]'],
  ["a NUL byte after the packet type", "4\u0000"],
  ["an empty frame", ""],
  ["a second Engine.IO open packet", "0"],
];

describe("raw Engine.IO garbage on a signed-in WebSocket does not take the server down", () => {
  test.each(garbageFrames)("%s", async (_, frame) => {
    const raw = await rawConnected(server.base, bob.token);
    const before = await snapshot(server);
    const seen = raw.frames.length;
    raw.ws.send(frame);
    // A valid event with an acknowledgement: once it is answered, or the server has hung
    // up, the garbage before it has been dealt with.
    raw.ws.send(`421["leaveRoom",{"roomId":"flush"}]`);
    const outcome = await raw.until((frame) => frame.startsWith("431"), seen);
    expect(outcome === "closed" || outcome.startsWith("431")).toBe(true);
    expect(raw.frames.filter((frame) => /internal/.test(frame))).toEqual([]);
    expect(await snapshot(server)).toEqual(before);
    await expectServerStillServes();
  });

  test.each([
    ["auth that is a string", '40"token"'],
    ["auth that is an array", "40[1]"],
    ["auth that is not JSON", "40{"],
    ["a token that is a number", '40{"token":5}'],
    ["a garbage token", '40{"token":"garbage"}'],
    ["a namespace that does not exist", "40/admin,{}"],
  ])("a Socket.IO CONNECT with %s is refused, and the server keeps serving", async (_, packet) => {
    const raw = await rawEngineSocket(server.base);
    expect(await raw.until((frame) => frame.startsWith("0{"))).toStartWith("0{");
    const before = await snapshot(server);
    raw.ws.send(packet);
    const outcome = await raw.until((frame) => frame.startsWith("4"), 1);
    expect(outcome === "closed" || outcome.startsWith("44")).toBe(true);
    expect(raw.frames.filter((frame) => /internal/.test(frame))).toEqual([]);
    expect(await snapshot(server)).toEqual(before);
    await expectServerStillServes();
  });
});

describe("bad Engine.IO requests without any credentials get a 4xx, never a 5xx", () => {
  test.each([
    ["GET", "?EIO=9&transport=polling", "an unsupported protocol version"],
    ["GET", "?EIO=3&transport=polling", "an old protocol version"],
    ["GET", "?EIO=abc&transport=polling", "a protocol version that is not a number"],
    ["GET", "?EIO=4&transport=carrier-pigeon", "an unknown transport"],
    ["GET", "", "no query at all"],
    ["GET", "?EIO=4&transport=polling&sid=nope", "an unknown session id"],
    ["POST", "?EIO=4&transport=polling&sid=nope", "a post to an unknown session"],
    ["POST", "?EIO=4&transport=polling", "a post instead of a handshake"],
    ["PUT", "?EIO=4&transport=polling", "another method"],
    ["POST", "?EIO=4&transport=polling&sid=nope", "a body over 64 KiB"],
  ])("%s %s (%s)", async (method, query, what) => {
    const body = method === "GET" ? undefined : what === "a body over 64 KiB" ? OVER_64_KIB : "42[";
    const response = await fetch(`${server.base}/socket.io/${query}`, { method, body });
    await response.arrayBuffer();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect((await api(server, "GET", "/healthz")).status).toBe(200);
  });

  test("a long-polling post whose bytes are not UTF-8 is refused as invalid_request, and nothing is stored", async () => {
    const socket = await connect(server, bob.token, ["polling"]);
    await flush(socket); // connected, and idle: no post of its own is in flight
    const before = await snapshot(server);
    const sid = socket.io.engine.id;
    const packet = new Uint8Array([...new TextEncoder().encode(`42["sendMessage",{"roomId":"${f.lobby.id}","content":"a`), 0xff, ...new TextEncoder().encode('"}]')]);
    const posted = await fetch(`${server.base}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: packet });
    expect(posted.status).toBe(400);
    expect(await posted.json()).toEqual({ code: "invalid_request", message: "Socket.IO long-polling packets must be UTF-8 text" });
    expect(await snapshot(server)).toEqual(before);
  });

  test("a WebSocket upgrade without its key is refused as invalid_request, not answered with the engine's 500", async () => {
    const { host, port } = new URL(server.base);
    const answer = await exchange(
      Number(port),
      new TextEncoder().encode(`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`),
      5000,
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ code: "invalid_request", message: "an Upgrade must be a complete WebSocket handshake" });
    await expectServerStillServes();
  });

  test("a polling session that posts garbage is ended without a 5xx, and the server keeps serving", async () => {
    const handshake = await fetch(`${server.base}/socket.io/?EIO=4&transport=polling`);
    expect(handshake.status).toBe(200);
    const { sid } = JSON.parse((await handshake.text()).slice(1));
    const posted = await fetch(`${server.base}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "\u00ff\u0000garbage\u001e42[" });
    await posted.arrayBuffer();
    expect(posted.status).toBeLessThan(500);
    await expectServerStillServes();
  });
});

describe("a request whose URL cannot be made is refused as invalid_request, never a 500", () => {
  test.each([
    ["a Host that names no host", "GET /healthz HTTP/1.1\r\nHost: [::1\r\n\r\n"],
    ["a Host whose port is no number", "GET /rooms HTTP/1.1\r\nHost: 127.0.0.1:x80\r\n\r\n"],
    ["a CONNECT to an address", "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n"],
  ])("%s", async (_, request) => {
    const answer = await exchange(Number(new URL(server.base).port), new TextEncoder().encode(request), 5000);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ code: "invalid_request", message: "the request's target and Host header do not make a URL" });
    await expectServerStillServes();
  });
});
