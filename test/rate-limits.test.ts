// Abuse limits: each refusal is 429 (or an `error` with rate_limited) with a retry hint,
// changes nothing, and leaves other people alone. Counted in the shared state, so several
// instances count together. Each test has a server of its own, with the one limit it tries.
import { afterEach, describe, expect, setSystemTime, test } from "bun:test";
import { Redis } from "ioredis";
import type { Config } from "../src/config";
import { type Limits, RateLimiter } from "../src/limits/rate-limits";
import { MemoryState, RedisState } from "../src/state/fast-state";
import {
  api,
  closeSockets,
  connect,
  createRoom,
  databaseUrl,
  people,
  redisUrl,
  signUp,
  snapshot,
  startPeer,
  startServer,
  stopServer,
  type TestServer,
  testConfig,
} from "./harness";

afterEach(closeSockets);

/** Runs `body` against a fresh server whose limit `name` is `max` a minute. */
async function withLimit(name: keyof Limits, max: number, body: (server: TestServer) => Promise<void>, overrides: Partial<Config> = {}) {
  const server = await startServer({ limits: { ...testConfig().limits, [name]: { max, windowMs: 60_000 } }, ...overrides });
  try {
    await body(server);
  } finally {
    await stopServer(server);
  }
}

function register(server: TestServer, username: string, headers: Record<string, string> = {}) {
  return fetch(`${server.base}/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ username, password: "long enough password" }),
  });
}

test("accounts created from one address are limited, with a Retry-After, and a refused one is not created", () =>
  withLimit("registerPerAddress", 3, async (server) => {
    for (const name of ["alice", "bob", "carol"]) expect((await register(server, name)).status).toBe(201);
    const before = await snapshot(server);
    const refused = await register(server, "dave");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ code: "rate_limited", message: expect.stringMatching(/retry in \d+ s/) });
    expect(await snapshot(server)).toEqual(before);
    // Without a trusted proxy, a made-up X-Forwarded-For buys no fresh budget.
    expect((await register(server, "erin", { "x-forwarded-for": "203.0.113.9" })).status).toBe(429);
  }));

test("behind a trusted proxy, each client address the proxy names has its own budget", () =>
  withLimit(
    "registerPerAddress",
    2,
    async (server) => {
      const from = (address: string, name: string) => register(server, name, { "x-forwarded-for": `10.9.9.9, ${address}` });
      expect((await from("198.51.100.1", "alice")).status).toBe(201);
      expect((await from("198.51.100.1", "bob")).status).toBe(201);
      expect((await from("198.51.100.1", "carol")).status).toBe(429);
      expect((await from("198.51.100.2", "dave")).status).toBe(201);
    },
    { trustProxy: true },
  ));

/** A sign-in from a client address (the test servers trust X-Forwarded-For's last hop). */
async function signIn(server: TestServer, username: string, password: string, address: string) {
  const response = await fetch(`${server.base}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address },
    body: JSON.stringify({ username, password }),
  });
  return { status: response.status, retryAfter: Number(response.headers.get("retry-after")) };
}
const RIGHT = "long enough password";

test("ten wrong passwords from one address do not lock out the owner signing in from another", () =>
  withLimit(
    "loginPerAccount",
    10,
    async (server) => {
      expect((await register(server, "alice")).status).toBe(201);
      for (let i = 0; i < 10; i++) expect((await signIn(server, "alice", "wrong password", "203.0.113.66")).status).toBe(401);
      const guesser = await signIn(server, "ALICE", RIGHT, "203.0.113.66");
      expect(guesser.status).toBe(429);
      expect(guesser.retryAfter).toBeGreaterThan(0);
      expect((await signIn(server, "alice", RIGHT, "198.51.100.7")).status).toBe(200);
    },
    { trustProxy: true },
  ));

test("successful sign-ins do not count toward the limit; only failures do", () =>
  withLimit(
    "loginPerAccount",
    3,
    async (server) => {
      expect((await register(server, "alice")).status).toBe(201);
      for (let i = 0; i < 6; i++) expect((await signIn(server, "alice", RIGHT, "198.51.100.7")).status).toBe(200);
      for (let i = 0; i < 2; i++) expect((await signIn(server, "alice", "wrong password", "198.51.100.7")).status).toBe(401);
      expect((await signIn(server, "alice", RIGHT, "198.51.100.7")).status).toBe(200);
      expect((await signIn(server, "alice", "wrong password", "198.51.100.7")).status).toBe(401);
      expect((await signIn(server, "alice", RIGHT, "198.51.100.7")).status).toBe(429);
    },
    { trustProxy: true },
  ));

test("failures from one address are limited whatever username they try; the owner elsewhere is not", () =>
  withLimit(
    "loginPerAddress",
    3,
    async (server) => {
      expect((await register(server, "alice")).status).toBe(201);
      for (const name of ["alice", "bob", "carol"]) expect((await signIn(server, name, "wrong password", "203.0.113.66")).status).toBe(401);
      expect((await signIn(server, "dave", "wrong password", "203.0.113.66")).status).toBe(429);
      expect((await signIn(server, "alice", RIGHT, "198.51.100.7")).status).toBe(200);
    },
    { trustProxy: true },
  ));

describe.each(redisUrl ? (["memory", "redis"] as const) : (["memory"] as const))("the window slides (%s)", (kind) => {
  afterEach(() => setSystemTime());

  test("no window edge lets twice the limit through: 10 per 300 s is 10 in any 300 s", async () => {
    const redis = kind === "redis" ? new Redis(redisUrl!) : undefined;
    const state = redis ? new RedisState(redis, `chatloop-test-${crypto.randomUUID()}:`) : new MemoryState();
    const limiter = new RateLimiter(state, { ...testConfig().limits, loginPerAccount: { max: 10, windowMs: 300_000 } });
    const start = Date.now();
    try {
      setSystemTime(start);
      await limiter.take("loginPerAccount", "alice");
      setSystemTime(start + 299_000);
      for (let i = 0; i < 9; i++) await limiter.take("loginPerAccount", "alice");
      await expect(limiter.take("loginPerAccount", "alice")).rejects.toMatchObject({ code: "rate_limited", retryAfterMs: 1000 });
      // Past the first use's window, one place is free, not ten.
      setSystemTime(start + 300_001);
      await limiter.take("loginPerAccount", "alice");
      await expect(limiter.take("loginPerAccount", "alice")).rejects.toMatchObject({ code: "rate_limited", retryAfterMs: 298_999 });
      // A use taken back frees its place at once.
      for (let i = 0; i < 9; i++) await limiter.take("loginPerAccount", "bob");
      const takeBack = await limiter.take("loginPerAccount", "bob");
      await expect(limiter.take("loginPerAccount", "bob")).rejects.toMatchObject({ code: "rate_limited" });
      await takeBack();
      await limiter.take("loginPerAccount", "bob");
    } finally {
      redis?.disconnect();
    }
  });
});

test("messages per user are limited across REST and sockets together, with a retry hint, and nothing more is stored", () =>
  withLimit("messagesPerUser", 5, async (server) => {
    const [alice, bob] = await people(server, "alice", "bob");
    const room = await createRoom(server, bob, "firehose");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, alice.token);
    const socket = await connect(server, bob.token);
    for (let i = 0; i < 3; i++) expect(await socket.emitWithAck("sendMessage", { roomId: room.id, content: `s${i}` })).toHaveProperty("id");
    for (let i = 0; i < 2; i++) expect((await api(server, "POST", "/messages", { roomId: room.id, content: `r${i}` }, bob.token)).status).toBe(201);

    expect(await socket.emitWithAck("sendMessage", { roomId: room.id, content: "one too many" })).toEqual({
      code: "rate_limited",
      message: expect.any(String),
      retryAfterMs: expect.any(Number),
    });
    const overRest = await api(server, "POST", "/messages", { roomId: room.id, content: "one too many" }, bob.token);
    expect(overRest.status).toBe(429);
    expect(Number(overRest.headers.get("retry-after"))).toBeGreaterThan(0);

    expect((await api(server, "POST", "/messages", { roomId: room.id, content: "alice is fine" }, alice.token)).status).toBe(201);
    const [count] = await server.sql<{ n: number }[]>`select count(*)::int as n from messages where room_id = ${room.id}`;
    expect(count!.n).toBe(6);
  }));

test("a user may hold only so many sockets at once; the next handshake is refused, and a freed place can be used again", async () => {
  const server = await startServer({ maxConnectionsPerUser: 2 });
  try {
    const alice = await signUp(server, "alice");
    const [first] = [await connect(server, alice.token), await connect(server, alice.token)];
    await expect(connect(server, alice.token)).rejects.toThrow(/at most 2 connections/);
    expect(await connect(server, (await signUp(server, "bob")).token)).toBeDefined(); // others are not affected
    first!.close();
    // The server counts the socket out when it hears the close; wait for that, boundedly.
    const deadline = Date.now() + 5000;
    for (;;) {
      const again = await connect(server, alice.token).catch(() => undefined);
      if (again) break;
      if (Date.now() > deadline) throw new Error("the freed place never came back");
    }
  } finally {
    await stopServer(server);
  }
});

describe.skipIf(!databaseUrl || !redisUrl)("with several instances", () => {
  test("sockets are counted across instances together", async () => {
    const server = await startServer({ maxConnectionsPerUser: 2 });
    const peer = await startPeer(server);
    try {
      const alice = await signUp(server, "alice");
      await connect(server, alice.token);
      await connect(peer, alice.token);
      await expect(connect(peer, alice.token)).rejects.toThrow(/at most 2 connections/);
      await expect(connect(server, alice.token)).rejects.toThrow(/at most 2 connections/);
    } finally {
      closeSockets();
      await stopServer(peer);
      await stopServer(server);
    }
  });

  test("a limit is counted across instances together", () =>
    withLimit("messagesPerUser", 4, async (server) => {
      const peer = await startPeer(server);
      try {
        const bob = await signUp(server, "bob");
        const room = await createRoom(server, bob, "two doors");
        for (const instance of [server, peer, server, peer]) {
          expect((await api(instance, "POST", "/messages", { roomId: room.id, content: "hi" }, bob.token)).status).toBe(201);
        }
        expect((await api(peer, "POST", "/messages", { roomId: room.id, content: "one too many" }, bob.token)).status).toBe(429);
        expect((await api(server, "POST", "/messages", { roomId: room.id, content: "one too many" }, bob.token)).status).toBe(429);
      } finally {
        await stopServer(peer);
      }
    }));
});
