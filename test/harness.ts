// Real servers for tests: each on port 0 with a database of its own that it drops after.
// With TEST_DATABASE_URL (and TEST_REDIS_URL) set, that is a fresh database on the real
// server (and a Redis key prefix of its own); otherwise an embedded PGlite copied from a
// migrated template, which is far quicker than an initdb per server.
import { expect } from "bun:test";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { io as connectSocket, type Socket } from "socket.io-client";
import type { Config } from "../src/config";
import { openDatabase } from "../src/db/sql";
import type { Message } from "../src/messages/schemas";
import { generateVapidKeys } from "../src/push/keys";
import type { ClientToServerEvents, ServerToClientEvents } from "../src/realtime/events";
import type { Member } from "../src/rooms/schemas";
import { type ChatLoop, startChatLoop } from "../src/server";

export const databaseUrl = process.env.TEST_DATABASE_URL || undefined;
export const redisUrl = process.env.TEST_REDIS_URL || undefined;
export const mode = databaseUrl ? "postgresql" : "embedded";

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestServer extends ChatLoop {
  base: string;
  /** Config to start another instance on the same database (and Redis). */
  config: Config;
}

const unlimited = { max: 1_000_000, windowMs: 60_000 };
/** Test servers serve /metrics to this bearer token (see scrape). */
export const TEST_METRICS_TOKEN = "test-metrics-token-that-is-long-enough";
/** One VAPID key pair per test process: making one takes a moment, and any one will do. */
const vapid = { ...generateVapidKeys(), subject: "mailto:tests@chatloop.invalid" };

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    host: "127.0.0.1",
    port: 0,
    dataDir: "",
    jwtSecret: "test-secret-that-is-long-enough-for-hs256!",
    tokenTtlSeconds: 3600,
    passwordHashing: { memoryCost: 256, timeCost: 1 }, // cheap: tests hash hundreds of passwords
    maxMessageLength: 4000,
    maxBodyBytes: 64 * 1024,
    redisPrefix: `chatloop-test-${crypto.randomUUID()}`,
    redisUrl,
    trustProxy: false,
    // Tests sign up hundreds of people from one address; test/rate-limits.test.ts sets its own.
    limits: { loginPerAccount: unlimited, loginPerAddress: unlimited, registerPerAddress: unlimited, messagesPerUser: unlimited },
    maxConnectionsPerUser: 10_000,
    logLevel: "info",
    metricsToken: TEST_METRICS_TOKEN,
    push: { vapid, allowPrivateEndpoints: false, firstRetryMs: 10_000 },
    registration: "open",
    // As WEBHOOK_ALLOW_PRIVATE=true: test bots listen on 127.0.0.1.
    bots: { allowPrivate: true, firstRetryMs: 10_000, pollMs: 1000 },
    // Off: a test's links would be fetched; test/previews.test.ts turns it on.
    linkPreviews: false,
    // A folder of its own per server, made when the first file is stored.
    uploads: { maxBytes: 10 * 1024 * 1024, storage: { kind: "disk", dir: join(tmpdir(), `chatloop-uploads-${crypto.randomUUID()}`) } },
    ...overrides,
  };
}

const cleanups = new WeakMap<ChatLoop, () => Promise<void>>();

/** Starts ChatLoop on a new, empty database. */
export async function startServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const { config, drop } = await freshDatabase(testConfig(overrides));
  return startOn(config, drop);
}

/** Starts another instance on an existing server's database (needs TEST_DATABASE_URL). */
export function startPeer(server: TestServer, overrides: Partial<Config> = {}): Promise<TestServer> {
  return startOn({ ...server.config, ...overrides }, async () => {});
}

async function startOn(config: Config, drop: () => Promise<void>): Promise<TestServer> {
  const chatloop = await startChatLoop(config);
  const server = { ...chatloop, base: chatloop.url.href.replace(/\/$/, ""), config };
  cleanups.set(server, drop);
  return server;
}

export async function stopServer(server: ChatLoop): Promise<void> {
  await server.stop();
  await cleanups.get(server)?.();
}

/** A new, empty database on the test PostgreSQL (TEST_DATABASE_URL), and how to drop it. */
export async function throwawayDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = databaseUrl!;
  const name = `chatloop_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`); // a name we made, not input
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const admin = postgres(server, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** A new database and the config to reach it: empty on PostgreSQL, a migrated copy when embedded. */
export async function freshDatabase(config: Config): Promise<{ config: Config; drop: () => Promise<void> }> {
  if (databaseUrl) {
    const { url, drop } = await throwawayDatabase();
    return { config: { ...config, databaseUrl: url }, drop };
  }
  const dataDir = mkdtempSync(join(tmpdir(), "chatloop-test-"));
  cpSync(await embeddedTemplate(), join(dataDir, "pg"), { recursive: true });
  return { config: { ...config, dataDir }, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

// One migrated embedded database per test process; a fresh initdb takes seconds, so the
// preload (test/preload.ts) makes it before any test hook starts its clock.
let template: Promise<string> | undefined;
export function embeddedTemplate(): Promise<string> {
  template ??= (async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "chatloop-template-"));
    const db = await openDatabase({ dataDir });
    await db.close();
    process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
    return join(dataDir, "pg");
  })();
  return template;
}

// ---- people and their clients ------------------------------------------------------------

/** Anything that serves ChatLoop at a base URL: a test server, or a ChatLoop process. */
export type Endpoint = Pick<TestServer, "base">;

export interface Person {
  id: string;
  username: string;
  password: string;
  token: string;
}

export async function api(server: Endpoint, method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(server.base + path, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export async function signUp(server: Endpoint, username: string, password = "correct horse battery"): Promise<Person> {
  const registered = await api(server, "POST", "/auth/register", { username, password });
  if (registered.status !== 201) throw new Error(`register ${username}: ${JSON.stringify(registered.body)}`);
  const login = await api(server, "POST", "/auth/login", { username, password });
  return { id: registered.body.id, username, password, token: login.body.token };
}

/**
 * A server's people, one Person per name, in the order named: the first signed up first, the
 * rest at once. On a new server the first named is therefore its site admin, always, rather
 * than whoever of them happens to register first.
 */
export async function people<const Names extends readonly string[]>(server: Endpoint, ...names: Names): Promise<{ -readonly [I in keyof Names]: Person }> {
  const [first, ...rest] = names;
  if (first === undefined) return [] as { -readonly [I in keyof Names]: Person };
  const firstPerson = await signUp(server, first);
  return [firstPerson, ...(await Promise.all(rest.map((name) => signUp(server, name))))] as { -readonly [I in keyof Names]: Person };
}

export async function createRoom(server: Endpoint, owner: Person, name: string, isPrivate = false) {
  const created = await api(server, "POST", "/rooms", { name, isPrivate }, owner.token);
  if (created.status !== 201) throw new Error(`create room: ${JSON.stringify(created.body)}`);
  return created.body as { id: string; name: string; isPrivate: boolean; ownerId: string; createdAt: string };
}

/** The owner adds the invitee to the room; answers the new member. */
export async function invite(server: Endpoint, room: { id: string }, owner: Person, invitee: Person): Promise<Member> {
  const invited = await api(server, "POST", `/rooms/${room.id}/invites`, { username: invitee.username }, owner.token);
  if (invited.status !== 201) throw new Error(`invite ${invitee.username}: ${JSON.stringify(invited.body)}`);
  return invited.body;
}

const openSockets = new Set<ChatSocket>();

/** A connected official Socket.IO client (WebSocket unless told otherwise). */
export async function connect(server: Endpoint, token: string, transports: ("websocket" | "polling")[] = ["websocket"]): Promise<ChatSocket> {
  const socket: ChatSocket = connectSocket(server.base, { auth: { token }, transports, reconnection: false, forceNew: true });
  openSockets.add(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

export function closeSockets(): void {
  for (const socket of openSockets) socket.close();
  openSockets.clear();
}

/** Collects every `newMessage` a socket receives, and waits for a count of them. */
export function inbox(socket: ChatSocket) {
  const messages: Message[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  socket.on("newMessage", (message) => {
    messages.push(message);
    for (const waiter of waiters.filter((w) => messages.length >= w.count)) waiter.resolve();
  });
  return {
    messages,
    until(count: number): Promise<Message[]> {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve) => waiters.push({ count, resolve: () => resolve(messages) }));
    },
  };
}

/**
 * A round trip on the socket: once it returns, everything the server sent this socket
 * before has arrived. (An invalid event is refused in order, and changes nothing.)
 */
export async function flush(socket: ChatSocket): Promise<void> {
  await socket.emitWithAck("leaveRoom", { roomId: "flush" });
}

/** The next time `socket` receives `event`. */
export function next<E extends keyof ServerToClientEvents>(socket: ChatSocket, event: E): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve) => socket.once(event, ((payload: never) => resolve(payload)) as never));
}

/** Each person's presence changes in the `presence` events a socket hears, one at a time. */
export function onPresence(socket: ChatSocket, seen: (change: { roomId: string; userId: string; online: boolean }) => void): () => void {
  const listener: ServerToClientEvents["presence"] = ({ roomId, online, offline }) => {
    for (const userId of online) seen({ roomId, userId, online: true });
    for (const userId of offline) seen({ roomId, userId, online: false });
  };
  socket.on("presence", listener);
  return () => socket.off("presence", listener);
}

/** The next presence change of one person (a socket also hears of its own user, at no set moment). */
export function nextPresenceOf(socket: ChatSocket, person: Person): Promise<{ roomId: string; userId: string; online: boolean }> {
  return new Promise((resolve) => {
    const stop = onPresence(socket, (change) => {
      if (change.userId !== person.id) return;
      stop();
      resolve(change);
    });
  });
}

/** Every sample of an instance's /metrics, by name with its labels: `name{label="value"}` -> value. */
export async function scrape(server: Endpoint): Promise<Map<string, number>> {
  const text = await (await fetch(`${server.base}/metrics`, { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } })).text();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = line.match(/^(\w+(?:\{[^}]*\})?) (\S+)$/);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

// ---- matchers ---------------------------------------------------------------------------

export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** An error body with this code. */
export const error = (code: string) => ({ message: expect.any(String), code });
// What a client can compare of an answer, compared exactly. (Not toMatchObject: given an
// asymmetric matcher, Bun 1.4.5 writes the matcher into the object it checks.)
export const reply = ({ status, body }: { status: number; body: unknown }) => ({ status, body });

/** Row counts of every table: proof that a refused request changed nothing. */
export async function snapshot(server: TestServer) {
  const [row] = await server.sql`
    select (select count(*) from users) as users, (select count(*) from rooms) as rooms,
           (select count(*) from memberships) as memberships, (select count(*) from messages) as messages,
           (select coalesce(sum(last_seq), 0) from rooms) as seqs, (select count(*) from sessions where revoked_at is null) as sessions,
           (select coalesce(sum(last_rev), 0) from rooms) as revs, (select count(*) from reactions) as reactions, (select count(*) from mentions) as mentions`;
  return row;
}
