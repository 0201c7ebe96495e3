// Accounts and sessions, seen from outside: registering, logging in, every way a token
// travels (Bearer, cookie, handshake) and every way a token can be wrong, on REST and in the
// Socket.IO handshake alike, and logging out.
import { afterAll, afterEach, beforeAll, describe, expect, setSystemTime, test } from "bun:test";
import { type JWTPayload, SignJWT } from "jose";
import { io as connectSocket, type ManagerOptions, type SocketOptions } from "socket.io-client";
import {
  api,
  type ChatSocket,
  closeSockets,
  connect,
  createRoom,
  databaseUrl,
  flush,
  type Person,
  people,
  redisUrl,
  snapshot,
  startPeer,
  startServer,
  stopServer,
  type TestServer,
  testConfig,
} from "./harness";

let server: TestServer;
let alice: Person, bob: Person, mallory: Person;

beforeAll(async () => {
  server = await startServer();
  [alice, bob, mallory] = await people(server, "alice", "bob", "mallory");
});
afterEach(() => {
  setSystemTime(); // the one test that stops the clock must not leave it stopped
  closeSockets();
  for (const socket of ownSockets) socket.close();
  ownSockets.clear();
});
afterAll(() => stopServer(server));

// ---- local helpers --------------------------------------------------------------------------

const PASSWORD = "correct horse battery";
const secret = new TextEncoder().encode(testConfig().jwtSecret);
const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** The claims inside a token (a JWT): `sub` is the user, `sid` the session's row in `sessions`. */
function claimsOf(token: string): { sub: string; sid: string; exp: number; iat: number } {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}

/** A token minted by hand, the way an attacker or a test would. */
function sign(payload: JWTPayload, { key = secret, alg = "HS256" }: { key?: Uint8Array; alg?: string } = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
}

/** A new session of an existing person: another login. */
async function newSession(person: Person): Promise<string> {
  const login = await api(server, "POST", "/auth/login", { username: person.username, password: person.password });
  if (login.status !== 200) throw new Error(`login ${person.username}: ${JSON.stringify(login.body)}`);
  return login.body.token;
}

/** REST with headers of our choosing (a cookie, an odd Authorization header). */
async function rest(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(server.base + path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

type HandshakeOptions = Partial<ManagerOptions & SocketOptions>;
const ownSockets = new Set<ChatSocket>();

/**
 * An official client with options of our choosing. `gone` is the reason of its disconnect,
 * listened for before it even connects, so that no disconnect can slip past.
 */
function handshake(target: TestServer, options: HandshakeOptions): { socket: ChatSocket; connected: Promise<ChatSocket>; gone: Promise<string> } {
  const socket: ChatSocket = connectSocket(target.base, { transports: ["websocket"], reconnection: false, forceNew: true, ...options });
  ownSockets.add(socket);
  const gone = new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));
  const connected = new Promise<ChatSocket>((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
  return { socket, connected, gone };
}

/** How a handshake was refused: the connect_error's message and `data.code`. Fails if it connected. */
async function refusal(connecting: Promise<unknown>): Promise<{ message: string; code: string }> {
  try {
    await connecting;
  } catch (error) {
    const { message, data } = error as Error & { data?: { code?: string } };
    return { message, code: data?.code ?? "(no code)" };
  }
  throw new Error("the handshake was accepted");
}

/** Runs a request that must be refused, and proves that it changed no table. */
async function unchanged<T>(action: () => Promise<T>): Promise<T> {
  const before = await snapshot(server);
  const result = await action();
  expect(await snapshot(server)).toEqual(before);
  return result;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---- registering ----------------------------------------------------------------------------

describe("registering", () => {
  test("registering answers 201 with exactly id, username, createdAt, isAdmin and avatarUrl, and nothing of the password", async () => {
    const before = await snapshot(server);
    const registered = await api(server, "POST", "/auth/register", { username: "Registrant", password: PASSWORD });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({
      id: expect.stringMatching(UUID),
      username: "Registrant",
      createdAt: expect.stringMatching(ISO),
      isAdmin: false,
      avatarUrl: `/users/${registered.body.id}/avatar`,
    });
    expect(await snapshot(server)).toEqual({ ...before, users: String(Number(before!.users) + 1) });
  });

  test("the first account is the site admin, and only the first, even when several sign up at once", async () => {
    const empty = await startServer();
    try {
      const names = ["first", "second", "third", "fourth", "fifth", "sixth"];
      const answers = await Promise.all(names.map((username) => api(empty, "POST", "/auth/register", { username, password: PASSWORD })));
      expect(answers.map((answer) => answer.status)).toEqual(names.map(() => 201));
      expect(answers.filter((answer) => answer.body.isAdmin)).toHaveLength(1);
      expect([...(await empty.sql`select count(*)::int as admins from users where is_admin`)]).toEqual([{ admins: 1 }]);
    } finally {
      await stopServer(empty);
    }
  });

  test("the password is stored as an argon2id hash, never as given", async () => {
    const password = "a password nobody should ever see";
    const registered = await api(server, "POST", "/auth/register", { username: "hashed", password });
    expect(registered.status).toBe(201);
    const [row] = await server.sql<{ password_hash: string }[]>`select password_hash from users where id = ${registered.body.id}`;
    expect(row!.password_hash.startsWith("$argon2id$")).toBe(true);
    expect(row!.password_hash).not.toContain(password);
    expect(await Bun.password.verify(password, row!.password_hash)).toBe(true);
  });

  test("usernames are unique regardless of case, and a refused registration changes nothing", async () => {
    const first = await api(server, "POST", "/auth/register", { username: "Carol", password: PASSWORD });
    expect(first.status).toBe(201);
    for (const username of ["Carol", "carol", "CAROL", "cArOl"]) {
      const again = await unchanged(() => api(server, "POST", "/auth/register", { username, password: "an entirely different one" }));
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ code: "username_taken", message: expect.any(String) });
    }
    // The first account is untouched: its password works, the would-be usurper's does not.
    expect((await api(server, "POST", "/auth/login", { username: "carol", password: PASSWORD })).status).toBe(200);
    expect((await api(server, "POST", "/auth/login", { username: "carol", password: "an entirely different one" })).status).toBe(401);
  });

  test("of concurrent registrations of one name in different cases, exactly one wins", async () => {
    const names = ["Dave", "dave", "DAVE", "dAvE", "davE", "DaVe"];
    const results = await Promise.all(names.map((username) => api(server, "POST", "/auth/register", { username, password: PASSWORD })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const refused of results.filter((r) => r.status === 409)) expect(refused.body.code).toBe("username_taken");
    const [count] = await server.sql<{ n: number }[]>`select count(*)::int as n from users where lower(username) = 'dave'`;
    expect(count!.n).toBe(1);
  });

  test.each([
    ["too short", "ab"],
    ["too long", "a".repeat(33)],
    ["with a space", "two words"],
    ["with a slash", "a/b/c"],
    ["with an @", "me@example"],
    ["not ASCII", "zoë_b"],
    ["starting with '.'", ".hidden"],
    ["starting with '-'", "-dash"],
    ["empty", ""],
    ["not a string", 12345],
    ["missing", undefined],
  ])("a username %s is refused with 400 invalid_input and changes nothing", async (_, username) => {
    const refused = await unchanged(() => api(server, "POST", "/auth/register", { username, password: PASSWORD }));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ code: "invalid_input", message: expect.stringContaining("username") });
  });

  test.each([
    ["exactly 3 characters", "abc"],
    ["exactly 32 characters", "b".repeat(32)],
    ["with '.', '-' and '_' inside", "a.b-c_d"],
    ["starting with '_'", "_underscore"],
    ["starting with a digit", "9lives"],
  ])("a username %s is accepted as given", async (_, username) => {
    const registered = await api(server, "POST", "/auth/register", { username, password: PASSWORD });
    expect(registered.status).toBe(201);
    expect(registered.body.username).toBe(username);
  });

  test.each([
    ["too short (7 characters)", "seven77"],
    ["too long (257 characters)", "p".repeat(257)],
    ["not a string", 12345678],
    ["missing", undefined],
  ])("a password %s is refused with 400 invalid_input and changes nothing", async (_, password) => {
    const refused = await unchanged(() => api(server, "POST", "/auth/register", { username: "passwordless", password }));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ code: "invalid_input", message: expect.stringContaining("password") });
  });

  test("passwords of exactly 8 and exactly 256 characters are accepted, and work at login", async () => {
    for (const [username, password] of [
      ["eight", "8chars!!"],
      ["longest", "q".repeat(256)],
    ] as const) {
      expect((await api(server, "POST", "/auth/register", { username, password })).status).toBe(201);
      expect((await api(server, "POST", "/auth/login", { username, password })).status).toBe(200);
    }
  });

  test("a body that is not JSON is refused with 400 invalid_json and changes nothing", async () => {
    const refused = await unchanged(() => api(server, "POST", "/auth/register", '{"username": "broken", "password":'));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ code: "invalid_json", message: expect.any(String) });
  });
});

// ---- logging in -----------------------------------------------------------------------------

describe("logging in", () => {
  test("logging in answers 200 with exactly a token, and each login is a session of its own", async () => {
    const before = await snapshot(server);
    const first = await api(server, "POST", "/auth/login", { username: "alice", password: alice.password });
    const second = await api(server, "POST", "/auth/login", { username: "alice", password: alice.password });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
    expect(second.body.token).not.toBe(first.body.token);
    expect(claimsOf(second.body.token).sid).not.toBe(claimsOf(first.body.token).sid);
    expect(await snapshot(server)).toEqual({ ...before, sessions: String(Number(before!.sessions) + 2) });
    for (const token of [first.body.token, second.body.token]) expect((await api(server, "GET", "/rooms", undefined, token)).status).toBe(200);
  });

  test("the token names the user and a session of theirs that is stored", async () => {
    const token = await newSession(alice);
    const { sub, sid, exp, iat } = claimsOf(token);
    expect(sub).toBe(alice.id);
    const [session] = await server.sql<{ user_id: string; revoked_at: Date | null; expires_at: Date }[]>`
      select user_id, revoked_at, expires_at from sessions where id = ${sid}`;
    expect(session).toMatchObject({ user_id: alice.id, revoked_at: null });
    expect(exp - iat).toBe(testConfig().tokenTtlSeconds);
  });

  test("the username is matched regardless of case at login", async () => {
    for (const username of ["ALICE", "Alice", "aLiCe"]) {
      const login = await api(server, "POST", "/auth/login", { username, password: alice.password });
      expect(login.status).toBe(200);
      expect(claimsOf(login.body.token).sub).toBe(alice.id);
    }
  });

  test("an unknown user and a wrong password get the identical 401 invalid_credentials, and open no session", async () => {
    const [unknown, wrong, wrongCase] = await unchanged(() =>
      Promise.all([
        api(server, "POST", "/auth/login", { username: "nobody-at-all", password: alice.password }),
        api(server, "POST", "/auth/login", { username: "alice", password: "not alice's password" }),
        api(server, "POST", "/auth/login", { username: "alice", password: alice.password.toUpperCase() }),
      ]),
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ code: "invalid_credentials", message: expect.any(String) });
    expect({ status: wrong.status, body: wrong.body }).toEqual({ status: unknown.status, body: unknown.body });
    expect({ status: wrongCase.status, body: wrongCase.body }).toEqual({ status: unknown.status, body: unknown.body });
  });

  test("an empty username or password at login is refused with 400 invalid_input", async () => {
    for (const body of [{ username: "", password: alice.password }, { username: "alice", password: "" }, { username: "alice" }]) {
      const refused = await unchanged(() => api(server, "POST", "/auth/login", body));
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe("invalid_input");
    }
  });
});

// ---- where a token travels --------------------------------------------------------------------

describe("where the token travels", () => {
  test("Authorization: Bearer works on REST, whatever the case of 'Bearer'", async () => {
    for (const scheme of ["Bearer", "bearer", "BEARER"]) {
      expect(await rest("GET", "/rooms", { authorization: `${scheme} ${alice.token}` })).toMatchObject({ status: 200 });
    }
  });

  // A change made with the cookie must come from one of our pages (CSRF): the browser sends our Origin.
  test("the chatloop_session cookie works on REST, among other cookies, and acts as its user", async () => {
    const cookie = `theme=dark; chatloop_session=${alice.token}; lang=en`;
    expect(await rest("GET", "/rooms", { cookie })).toMatchObject({ status: 200 });
    const created = await rest("POST", "/rooms", { cookie, origin: server.base }, { name: "made with a cookie" });
    expect(created.status).toBe(201);
    expect(created.body.ownerId).toBe(alice.id);
  });

  test("a request without a token gets 401 missing_token and changes nothing", async () => {
    for (const [method, path, body] of [
      ["GET", "/rooms", undefined],
      ["POST", "/rooms", { name: "anonymous" }],
      ["GET", `/messages/${crypto.randomUUID()}`, undefined],
      ["POST", "/auth/logout", undefined],
    ] as const) {
      const refused = await unchanged(() => api(server, method, path, body));
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({ code: "missing_token", message: expect.any(String) });
    }
  });

  test("an Authorization header that is not Bearer, and a cookie of another name, are no token: 401 missing_token", async () => {
    const attempts: Record<string, string>[] = [
      { authorization: `Basic ${btoa("alice:" + alice.password)}` },
      { authorization: alice.token }, // no scheme
      { cookie: `session=${alice.token}` },
    ];
    for (const headers of attempts) {
      const refused = await unchanged(() => rest("GET", "/rooms", headers));
      expect(refused).toEqual({ status: 401, body: { code: "missing_token", message: expect.any(String) } });
    }
  });

  test("the handshake accepts auth.token, with or without 'Bearer ', and the socket acts as the token's user", async () => {
    const room = await createRoom(server, bob, "handshake with auth.token");
    for (const token of [alice.token, `Bearer ${alice.token}`]) {
      const socket = await handshake(server, { auth: { token } }).connected;
      expect(await socket.emitWithAck("joinRoom", { roomId: room.id })).toEqual({ roomId: room.id, userId: alice.id });
    }
  });

  test("the handshake accepts the session cookie on long-polling, as browsers send it", async () => {
    const room = await createRoom(server, bob, "handshake with a cookie");
    const socket = await handshake(server, { transports: ["polling"], extraHeaders: { cookie: `theme=dark; chatloop_session=${alice.token}` } }).connected;
    expect(socket.io.engine.transport.name).toBe("polling");
    expect(await socket.emitWithAck("joinRoom", { roomId: room.id })).toEqual({ roomId: room.id, userId: alice.id });
  });

  test("the handshake accepts an Authorization: Bearer header", async () => {
    const room = await createRoom(server, bob, "handshake with a header");
    const socket = await handshake(server, { transports: ["polling"], extraHeaders: { authorization: `Bearer ${alice.token}` } }).connected;
    expect(await socket.emitWithAck("joinRoom", { roomId: room.id })).toEqual({ roomId: room.id, userId: alice.id });
  });

  test("a handshake without any token is refused with missing_token", async () => {
    expect(await refusal(handshake(server, {}).connected)).toEqual({ message: expect.stringMatching(/sign in first/), code: "missing_token" });
    expect(await refusal(connect(server, ""))).toEqual({ message: expect.stringMatching(/sign in first/), code: "missing_token" });
    expect(await refusal(handshake(server, { transports: ["polling"], extraHeaders: { cookie: `session=${alice.token}` } }).connected)).toMatchObject({
      code: "missing_token",
    });
  });
});

// ---- bad tokens ---------------------------------------------------------------------------------

describe("a token that is not good", () => {
  /** alice's own live session, so that only what the case changes can be wrong. */
  let live: { sub: string; sid: string };
  beforeAll(async () => {
    const { sub, sid } = claimsOf(await newSession(alice));
    live = { sub, sid };
  });
  const future = () => now() + 3600;

  test("a token minted by hand with the server's secret for a live session is accepted (the control for the cases below)", async () => {
    const token = await sign({ ...live, iat: now(), exp: future() });
    expect((await api(server, "GET", "/rooms", undefined, token)).status).toBe(200);
    expect((await connect(server, token)).connected).toBe(true);
  });

  const cases: [string, () => Promise<string>][] = [
    [
      "a forged signature (mallory's token rewritten to alice's session)",
      async () => {
        const [header, , signature] = mallory.token.split(".");
        return `${header}.${base64url({ ...claimsOf(mallory.token), ...live })}.${signature}`;
      },
    ],
    ["a token whose signature was cut off", async () => mallory.token.split(".").slice(0, 2).join(".") + "."],
    ["a token with alg none", async () => `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ ...live, iat: now(), exp: future() })}.`],
    ["a token signed with another secret", () => sign({ ...live, iat: now(), exp: future() }, { key: new TextEncoder().encode("another-secret-that-is-just-as-long-as-ours!") })],
    ["a token signed with HS512 and the right secret", () => sign({ ...live, iat: now(), exp: future() }, { alg: "HS512" })],
    ["an expired token", () => sign({ ...live, iat: now() - 7200, exp: now() - 60 })],
    ["a token without exp", () => sign({ ...live, iat: now() })],
    ["a token without sid", () => sign({ sub: live.sub, iat: now(), exp: future() })],
    ["a token naming bob's session with alice's id", () => sign({ sub: alice.id, sid: claimsOf(bob.token).sid, iat: now(), exp: future() })],
    ["a token naming alice's session with mallory's id", () => sign({ sub: mallory.id, sid: live.sid, iat: now(), exp: future() })],
    ["a token for a session that never existed", () => sign({ sub: alice.id, sid: crypto.randomUUID(), iat: now(), exp: future() })],
    ["a string that is not a JWT at all", async () => "not-a-jwt"],
  ];

  test.each(cases)("%s gets 401 invalid_token on REST, changes nothing, and is refused in the handshake", async (_, mint) => {
    const token = await mint();
    const read = await api(server, "GET", "/rooms", undefined, token);
    expect(read.status).toBe(401);
    expect(read.body).toEqual({ code: "invalid_token", message: expect.any(String) });
    const write = await unchanged(() => api(server, "POST", "/rooms", { name: "should not exist" }, token));
    expect(write).toMatchObject({ status: 401, body: read.body });
    const viaCookie = await rest("GET", "/rooms", { cookie: `chatloop_session=${token}` });
    expect(viaCookie).toEqual({ status: 401, body: read.body });
    expect(await refusal(connect(server, token))).toEqual({ message: read.body.message, code: "invalid_token" });
    expect(await refusal(handshake(server, { transports: ["polling"], extraHeaders: { cookie: `chatloop_session=${token}` } }).connected)).toEqual({
      message: read.body.message,
      code: "invalid_token",
    });
  });

  // The server trusts a checked session from its cache for up to a minute, but never past
  // the session's own expiry; so the expiry is set before the session is first used.
  test("a token whose session expired in the database is refused, though its own exp is still ahead", async () => {
    const token = await newSession(alice);
    await server.sql`update sessions set expires_at = now() - interval '1 second' where id = ${claimsOf(token).sid}`;
    expect(await api(server, "GET", "/rooms", undefined, token)).toMatchObject({ status: 401, body: { code: "invalid_token" } });
    expect(await refusal(connect(server, token))).toMatchObject({ code: "invalid_token" });
  });

  test("a correctly signed token whose claims are not ids is refused with 401 invalid_token, not a server error", async () => {
    for (const claims of [
      { sub: alice.id, sid: "not-a-session-id" },
      { sub: "not-a-user-id", sid: live.sid },
    ]) {
      const token = await sign({ ...claims, iat: now(), exp: future() });
      expect(await api(server, "GET", "/rooms", undefined, token)).toMatchObject({ status: 401, body: { code: "invalid_token" } });
      expect(await refusal(connect(server, token))).toMatchObject({ code: "invalid_token" });
    }
  });

  test("a malformed session cookie is refused with 401 invalid_token, not a server error", async () => {
    const cookie = "chatloop_session=%E0%A4%A";
    expect(await unchanged(() => rest("GET", "/rooms", { cookie }))).toEqual({ status: 401, body: { code: "invalid_token", message: expect.any(String) } });
    expect(await refusal(handshake(server, { transports: ["polling"], extraHeaders: { cookie } }).connected)).toMatchObject({ code: "invalid_token" });
  });
});

// ---- logging out --------------------------------------------------------------------------------

describe("logging out", () => {
  test("logging out revokes the token on REST and disconnects live sockets", async () => {
    const token = await newSession(alice);
    const other = await newSession(alice);
    const overWebSocket = handshake(server, { auth: { token } });
    const overPolling = handshake(server, { auth: { token }, transports: ["polling"] });
    const otherSession = handshake(server, { auth: { token: other } });
    await Promise.all([overWebSocket.connected, overPolling.connected, otherSession.connected]);

    const out = await api(server, "POST", "/auth/logout", undefined, token);
    expect(out).toMatchObject({ status: 204, body: undefined });
    expect(await overWebSocket.gone).toBe("io server disconnect");
    expect(await overPolling.gone).toBe("io server disconnect");

    expect(await api(server, "GET", "/rooms", undefined, token)).toMatchObject({ status: 401, body: { code: "invalid_token" } });
    expect(await refusal(connect(server, token))).toMatchObject({ code: "invalid_token" });
    const [session] = await server.sql<{ revoked_at: Date | null }[]>`select revoked_at from sessions where id = ${claimsOf(token).sid}`;
    expect(session!.revoked_at).toBeInstanceOf(Date);
  });

  test("another session of the same user keeps working after a logout, on REST and on its socket", async () => {
    const token = await newSession(alice);
    const other = await newSession(alice);
    const room = await createRoom(server, bob, "after a logout");
    const leaving = handshake(server, { auth: { token } });
    const staying = handshake(server, { auth: { token: other } });
    await Promise.all([leaving.connected, staying.connected]);
    let stayingLeft = false;
    void staying.gone.then(() => (stayingLeft = true));

    expect((await api(server, "POST", "/auth/logout", undefined, token)).status).toBe(204);
    await leaving.gone;
    await flush(staying.socket); // a round trip: a disconnect sent with the other one would be here by now
    expect(stayingLeft).toBe(false);
    expect(staying.socket.connected).toBe(true);
    expect(await staying.socket.emitWithAck("joinRoom", { roomId: room.id })).toEqual({ roomId: room.id, userId: alice.id });
    expect((await api(server, "GET", "/rooms", undefined, other)).status).toBe(200);
    expect((await api(server, "GET", "/rooms", undefined, alice.token)).status).toBe(200);
    expect((await connect(server, other)).connected).toBe(true);
  });

  test("logging out with the session cookie revokes that token as well", async () => {
    const token = await newSession(alice);
    const out = await rest("POST", "/auth/logout", { cookie: `chatloop_session=${token}`, origin: server.base });
    expect(out).toEqual({ status: 204, body: undefined });
    expect(await api(server, "GET", "/rooms", undefined, token)).toMatchObject({ status: 401, body: { code: "invalid_token" } });
  });

  test("logging out a second time gets 401 invalid_token and changes nothing", async () => {
    const token = await newSession(alice);
    expect((await api(server, "POST", "/auth/logout", undefined, token)).status).toBe(204);
    const again = await unchanged(() => api(server, "POST", "/auth/logout", undefined, token));
    expect(again).toMatchObject({ status: 401, body: { code: "invalid_token", message: expect.any(String) } });
  });

  test("one user's logout leaves other users' sockets alone", async () => {
    const token = await newSession(mallory);
    const bobs = handshake(server, { auth: { token: bob.token } });
    await bobs.connected;
    let bobLeft = false;
    void bobs.gone.then(() => (bobLeft = true));
    expect((await api(server, "POST", "/auth/logout", undefined, token)).status).toBe(204);
    await flush(bobs.socket);
    expect(bobLeft).toBe(false);
  });

  test.skipIf(!databaseUrl || !redisUrl)("logging out on one instance disconnects the session's sockets on another", async () => {
    const peer = await startPeer(server);
    try {
      const token = await newSession(alice);
      const remote = handshake(peer, { auth: { token } });
      await remote.connected;
      expect((await api(server, "POST", "/auth/logout", undefined, token)).status).toBe(204);
      expect(await remote.gone).toBe("io server disconnect");
      expect(await api(peer, "GET", "/rooms", undefined, token)).toMatchObject({ status: 401, body: { code: "invalid_token" } });
    } finally {
      for (const socket of ownSockets) socket.close();
      await stopServer(peer);
    }
  });
});

// ---- expiry -------------------------------------------------------------------------------------

describe("expiry", () => {
  // The clock is stopped 1 ms before a whole second, and the token expires at that second: the
  // handshake is checked on the stopped clock (so it cannot race the expiry), and the socket's
  // lifetime is 1 ms of timer, not a sleep.
  test("a live socket is disconnected when its token expires, and the token is refused from then on", async () => {
    const { sid } = claimsOf(await newSession(alice)); // a session that lives for an hour
    const second = now() + 1;
    setSystemTime(new Date(second * 1000 + 999));
    const expiring = await sign({ sub: alice.id, sid, iat: second, exp: second + 1 });
    const socket = handshake(server, { auth: { token: expiring } });
    await socket.connected;
    expect(await socket.gone).toBe("io server disconnect");

    setSystemTime(new Date((second + 1) * 1000));
    expect(await api(server, "GET", "/rooms", undefined, expiring)).toMatchObject({ status: 401, body: { code: "invalid_token" } });
    expect(await refusal(connect(server, expiring))).toMatchObject({ code: "invalid_token" });
  });
});
