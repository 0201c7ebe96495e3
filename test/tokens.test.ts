// API tokens: made, listed and revoked by their owner; a token works wherever a sign-in's does,
// and stops at once when revoked, on REST and on live sockets, on every instance.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { io as connectSocket } from "socket.io-client";
import {
  api,
  closeSockets,
  connect,
  createRoom,
  databaseUrl,
  error,
  ISO,
  type Person,
  people,
  redisUrl,
  reply,
  startPeer,
  startServer,
  stopServer,
  type TestServer,
  UUID,
} from "./harness";

let server: TestServer;
let alice: Person, bob: Person;

beforeAll(async () => {
  server = await startServer();
  [alice, bob] = await people(server, "alice", "bob"); // alice, first, is the site admin
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

const makeToken = async (person: Person, body: object = { name: "deploy script" }) => {
  const made = await api(server, "POST", "/tokens", body, person.token);
  expect(made.status).toBe(201);
  return made.body as { id: string; name: string; token: string; createdAt: string; lastUsedAt: null; expiresAt: string | null };
};

/** The socket's next disconnect, and why. */
const disconnected = (socket: { once(event: "disconnect", listener: (reason: string) => void): unknown }) => new Promise<string>((resolve) => socket.once("disconnect", resolve));

describe("making and listing tokens", () => {
  test("a new token is shown once, with its name, when it was made and when it expires; the list never shows it again", async () => {
    const made = await makeToken(alice, { name: "  ci  ", expiresInDays: 30 });
    expect(made).toEqual({
      id: expect.stringMatching(UUID),
      name: "ci",
      token: expect.stringMatching(/^chatloop_[A-Za-z0-9_-]{43}$/),
      createdAt: expect.stringMatching(ISO),
      lastUsedAt: null,
      expiresAt: expect.stringMatching(ISO),
    });
    expect(Date.parse(made.expiresAt!) - Date.parse(made.createdAt)).toBe(30 * 86_400_000);

    const listed = await api(server, "GET", "/tokens", undefined, alice.token);
    expect(listed.status).toBe(200);
    const mine = listed.body.find((token: { id: string }) => token.id === made.id);
    expect(mine).toEqual({ id: made.id, name: "ci", createdAt: made.createdAt, lastUsedAt: null, expiresAt: made.expiresAt });
    expect(JSON.stringify(listed.body)).not.toContain(made.token);
    // Only its hash is stored.
    const [row] = await server.sql<{ token_hash: Buffer }[]>`select token_hash from sessions where id = ${made.id}`;
    expect(row!.token_hash.toString("hex")).toBe(new Bun.CryptoHasher("sha256").update(made.token).digest("hex"));
  });

  test("a token without expiresInDays does not expire; other people's tokens are not listed", async () => {
    const made = await makeToken(bob, { name: "bob's bot" });
    expect(made.expiresAt).toBeNull();
    const listed = await api(server, "GET", "/tokens", undefined, alice.token);
    expect(listed.body.map((token: { id: string }) => token.id)).not.toContain(made.id);
  });

  test("bad input is refused and makes no token", async () => {
    const before = (await api(server, "GET", "/tokens", undefined, alice.token)).body.length;
    for (const body of [
      {},
      { name: "" },
      { name: "   " },
      { name: "x".repeat(101) },
      { name: "a", expiresInDays: 0 },
      { name: "a", expiresInDays: 1.5 },
      { name: "a", expiresInDays: "7" },
    ]) {
      expect(reply(await api(server, "POST", "/tokens", body, alice.token))).toEqual({ status: 400, body: error("invalid_input") });
    }
    expect(reply(await api(server, "POST", "/tokens", { name: "a" }))).toEqual({ status: 401, body: error("missing_token") });
    expect((await api(server, "GET", "/tokens", undefined, alice.token)).body.length).toBe(before);
  });
});

describe("a token works wherever a sign-in's does", () => {
  test("on REST and in the Socket.IO handshake, as its user; its use is noted, to the minute", async () => {
    const { token, id } = await makeToken(alice);
    const room = await createRoom(server, { ...alice, token }, "made by a script");
    expect(room.ownerId).toBe(alice.id);
    const socket = await connect(server, token);
    const joined = await socket.emitWithAck("joinRoom", { roomId: room.id });
    expect(joined).toEqual({ roomId: room.id, userId: alice.id });

    const listed = await api(server, "GET", "/tokens", undefined, alice.token);
    const used = listed.body.find((t: { id: string }) => t.id === id).lastUsedAt;
    expect(used).toMatch(ISO);
    // A second use within the minute writes nothing.
    await api(server, "GET", "/rooms", undefined, token);
    const [row] = await server.sql<{ last_used_at: Date }[]>`select last_used_at from sessions where id = ${id}`;
    expect(row!.last_used_at.toISOString()).toBe(used);
  });

  test("a token in the URL is refused, on REST and in the handshake, even beside a good one", async () => {
    const { token } = await makeToken(alice);
    expect(reply(await api(server, "GET", `/rooms?token=${token}`))).toEqual({ status: 400, body: error("token_in_url") });
    expect(reply(await api(server, "GET", `/rooms?access_token=${token}`, undefined, token))).toEqual({ status: 400, body: error("token_in_url") });
    const socket = connectSocket(server.base, { query: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
    const refused = await new Promise<Error & { data?: { code: string } }>((resolve) => socket.once("connect_error", resolve));
    socket.close();
    expect(refused.data?.code).toBe("token_in_url");
  });

  test("an expired token is refused", async () => {
    const { token, id } = await makeToken(alice, { name: "short", expiresInDays: 1 });
    await server.sql`update sessions set expires_at = now() - interval '1 second' where id = ${id}`;
    expect(reply(await api(server, "GET", "/rooms", undefined, token))).toEqual({ status: 401, body: error("invalid_token") });
    expect((await api(server, "GET", "/tokens", undefined, alice.token)).body.map((t: { id: string }) => t.id)).not.toContain(id);
  });

  test("a made-up token, or one of the right shape that was never made, is refused", async () => {
    for (const token of ["chatloop_", "chatloop_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "chatloopx"]) {
      expect(reply(await api(server, "GET", "/rooms", undefined, token))).toEqual({ status: 401, body: error("invalid_token") });
    }
  });

  test("a bot or webhook user has no password to sign in with", async () => {
    const [row] = await server.sql<
      { id: string }[]
    >`insert into users (username, password_hash, kind) values ('quietbot', ${await Bun.password.hash("a password of course", { algorithm: "argon2id", memoryCost: 256, timeCost: 1 })}, 'bot') returning id`;
    expect(row!.id).toMatch(UUID);
    expect(reply(await api(server, "POST", "/auth/login", { username: "quietbot", password: "a password of course" }))).toEqual({
      status: 401,
      body: error("invalid_credentials"),
    });
  });
});

describe("revoking", () => {
  test("a revoked token is refused at once, and its live sockets are disconnected; the sign-in's own socket stays", async () => {
    const { token, id } = await makeToken(alice);
    expect((await api(server, "GET", "/rooms", undefined, token)).status).toBe(200); // cached now
    const socket = await connect(server, token);
    const signedIn = await connect(server, alice.token);
    const gone = disconnected(socket);

    expect((await api(server, "DELETE", `/tokens/${id}`, undefined, alice.token)).status).toBe(204);
    expect(await gone).toBe("io server disconnect");
    expect(reply(await api(server, "GET", "/rooms", undefined, token))).toEqual({ status: 401, body: error("invalid_token") });
    expect(signedIn.connected).toBe(true);
    expect((await api(server, "GET", "/tokens", undefined, alice.token)).body.map((t: { id: string }) => t.id)).not.toContain(id);
    // Revoked once: it is gone.
    expect(reply(await api(server, "DELETE", `/tokens/${id}`, undefined, alice.token))).toEqual({ status: 404, body: error("token_not_found") });
  });

  test("someone else's token, a sign-in's session, or no such token: 404, and the token still works", async () => {
    const { token, id } = await makeToken(bob);
    expect(reply(await api(server, "DELETE", `/tokens/${id}`, undefined, alice.token))).toEqual({ status: 404, body: error("token_not_found") });
    const [session] = await server.sql<{ id: string }[]>`select id from sessions where user_id = ${alice.id} and token_hash is null limit 1`;
    expect(reply(await api(server, "DELETE", `/tokens/${session!.id}`, undefined, alice.token))).toEqual({ status: 404, body: error("token_not_found") });
    expect(reply(await api(server, "DELETE", `/tokens/${crypto.randomUUID()}`, undefined, alice.token))).toEqual({ status: 404, body: error("token_not_found") });
    expect(reply(await api(server, "DELETE", "/tokens/not-an-id", undefined, alice.token))).toEqual({ status: 400, body: error("invalid_input") });
    expect((await api(server, "GET", "/rooms", undefined, token)).status).toBe(200);
  });
});

describe.skipIf(!databaseUrl || !redisUrl)("on several instances", () => {
  let peer: TestServer;
  beforeAll(async () => {
    peer = await startPeer(server);
  });
  afterAll(() => stopServer(peer));

  test("a token revoked on one instance is refused on another at once, and its socket there is disconnected", async () => {
    const { token, id } = await makeToken(alice);
    expect((await api(peer, "GET", "/rooms", undefined, token)).status).toBe(200); // cached in Redis now
    const socket = await connect(peer, token);
    const gone = disconnected(socket);
    expect((await api(server, "DELETE", `/tokens/${id}`, undefined, alice.token)).status).toBe(204);
    expect(reply(await api(peer, "GET", "/rooms", undefined, token))).toEqual({ status: 401, body: error("invalid_token") });
    expect(await gone).toBe("io server disconnect");
  });
});
