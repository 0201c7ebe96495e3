// The composition root: config -> database -> pub/sub -> Socket.IO -> HTTP, on one Bun.serve.
import { createAdapter } from "@socket.io/redis-adapter";
import { Server as Engine } from "@socket.io/bun-engine";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import type { Config } from "./config";
import { TokenSigner } from "./auth/tokens";
import { openDatabase, type Sql } from "./db/sql";
import { Drain } from "./drain";
import { publicError } from "./errors";
import { createHttpApp } from "./http/app";
import { limitBody } from "./http/body-limit";
import { rememberAddress } from "./http/client-address";
import { RateLimiter } from "./limits/rate-limits";
import { log } from "./log";
import { createMetrics } from "./metrics";
import { listMessages } from "./messages/messages";
import { attachGateway } from "./realtime/gateway";
import { createHub, type ChatServer } from "./realtime/hub";
import { PRESENCE_HEARTBEAT_MS, Presence } from "./realtime/presence";
import { RoomFeeds } from "./realtime/room-feeds";
import { MemoryState, RedisState } from "./state/fast-state";

export interface ChatLoop {
  url: URL;
  sql: Sql;
  io: ChatServer;
  stop(): Promise<void>;
}

const SOCKET_PATH = "/socket.io/";
/** How often a clustered instance checks its rooms against the log; bounds how late a lost message can be. */
const RECONCILE_INTERVAL_MS = 2000;
/** Unread output a WebSocket may hold; room for a full 1,000-message replay of long messages. */
const SLOW_CONSUMER_LIMIT_BYTES = 8 * 1024 * 1024;
/** How long start-up waits for Redis before it serves without it. */
const REDIS_START_WAIT_MS = 5000;

export async function startChatLoop(config: Config): Promise<ChatLoop> {
  const db = await openDatabase(config);
  const { sql } = db;
  const signer = new TokenSigner(config.jwtSecret);

  const io: ChatServer = new Server({ serveClient: false });
  const engine = new Engine({ path: SOCKET_PATH, maxHttpBufferSize: config.maxBodyBytes });
  io.bind(engine);

  const redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined;
  if (redis) io.adapter(createAdapter(redis.pub, redis.sub, { key: `${config.redisPrefix}:socket.io` }));
  const state = redis ? new RedisState(redis.state, `${config.redisPrefix}:`) : new MemoryState();

  const feeds = new RoomFeeds({
    deliver: (message) => {
      io.local.to(message.roomId).emit("newMessage", message);
      metrics.messagesDelivered.inc({}, io.of("/").adapter.rooms.get(message.roomId)?.size ?? 0);
    },
    load: (roomId, after, before) => loadAll(sql, roomId, after, before),
    newestSeqs: async (roomIds) =>
      new Map((await sql<{ id: string; last_seq: string }[]>`select id, last_seq from rooms where id = any(string_to_array(${roomIds.join(",")}, ',')::uuid[])`).map((r) => [r.id, Number(r.last_seq)])),
    localSockets: (roomId) => io.of("/").adapter.rooms.get(roomId)?.size ?? 0,
    backfilled: (count) => metrics.messagesBackfilled.inc({}, count),
    onError: (error, context) => log.error("room_feed_failed", error, { context }),
  });
  const metrics = createMetrics({ connections: () => io.of("/").sockets.size, watchedRooms: () => feeds.size });
  io.of("/").adapter.on("delete-room", (room: string) => feeds.roomEmptied(room));
  io.on("messageStored", (message) => feeds.receive(message));
  const hub = createHub(io, feeds, redis !== undefined, metrics);
  const reconcile = () => feeds.reconcile().catch((error) => log.warn("reconcile_failed", { error: String(error) }));
  // Only instances can miss each other's messages; a lone instance delivers its own directly.
  const reconciling = redis ? setInterval(reconcile, RECONCILE_INTERVAL_MS) : undefined;
  redis?.sub.on("ready", reconcile);

  const presence = new Presence(state, crypto.randomUUID(), (roomId, userId, online) => io.to(roomId).emit("presence", { roomId, userId, online }));
  const nsp = io.of("/");
  const userOf = (socketId: string) => nsp.sockets.get(socketId)?.data.principal?.userId;
  const track = (change: "joined" | "left") => (room: string, socketId: string) => {
    const userId = userOf(socketId);
    if (isChatRoom(room) && userId) presence[change](room, userId).catch((error) => log.warn("presence_failed", { error: String(error) }));
  };
  nsp.adapter.on("join-room", track("joined"));
  nsp.adapter.on("leave-room", track("left"));
  const heartbeat = setInterval(() => presence.heartbeat().catch((error) => log.warn("presence_failed", { error: String(error) })), PRESENCE_HEARTBEAT_MS);

  const limiter = new RateLimiter(state, config.limits);
  const drain = new Drain();
  attachGateway(io, { drain, limiter, metrics, sql, signer, state, hub, feeds, maxMessageLength: config.maxMessageLength });
  const app = createHttpApp({
    limiter,
    metrics,
    presence,
    state,
    sql,
    signer,
    hub,
    auth: { tokenTtlSeconds: config.tokenTtlSeconds, passwordHashing: config.passwordHashing },
    maxMessageLength: config.maxMessageLength,
  });

  const { websocket, idleTimeout } = engine.handler();
  const server = Bun.serve({
    hostname: config.host,
    port: config.port,
    reusePort: false, // a second process on the same port must fail, not split the traffic
    // Bun's own limit answers with an empty 413; limitBody answers first, in the API's words.
    maxRequestBodySize: config.maxBodyBytes * 2,
    idleTimeout,
    // The slow-consumer policy: a socket that stops reading is closed once this much is
    // waiting for it, instead of growing without bound (the engine ignores backpressure);
    // its client reconnects and catches up by seq.
    websocket: { ...websocket, backpressureLimit: SLOW_CONSUMER_LIMIT_BYTES, closeOnBackpressureLimit: true },
    async fetch(request, server) {
      // An HTTP/1.0 request without a Host header has a bare path for its url.
      const { pathname } = new URL(request.url, "http://localhost");
      if (pathname === SOCKET_PATH) return engine.handleRequest(request, server);
      const limited = await limitBody(request, config.maxBodyBytes);
      if (limited instanceof Response) return limited;
      rememberAddress(limited, server.requestIP(request)?.address, config.trustProxy);
      return drain.run(() => app.handle(limited)).catch(shuttingDown);
    },
  });
  const url = new URL(`http://${config.host}:${server.port}`);
  log.info("started", { url: url.href, database: config.databaseUrl ? "postgresql" : "embedded", pubsub: redis ? "redis" : "in-process" });

  return {
    url,
    sql,
    io,
    /**
     * Stops gracefully: no new connections, no new work; what is running finishes; then the
     * sockets are let go (their clients reconnect to another instance) and everything closes.
     */
    async stop() {
      clearInterval(reconciling);
      clearInterval(heartbeat);
      void server.stop(false);
      await drain.drain();
      io.disconnectSockets(true);
      await server.stop(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await Promise.all([redis?.pub.quit(), redis?.sub.quit(), redis?.state.quit()]).catch(() => {});
      await db.close();
    },
  };
}

function shuttingDown(error: unknown): Response {
  const { status, code, message } = publicError(error);
  return Response.json({ code, message }, { status });
}

// Redis commands fail fast while Redis is away instead of piling up in memory: the adapter's
// retry twice (what they carry is also in the log), the state client's not at all (its
// readers fall back to PostgreSQL or do without).
// Start-up waits a while for Redis (the state client refuses commands until it is connected,
// and limits would go uncounted); a Redis that stays away does not keep ChatLoop down.
async function connectRedis(url: string) {
  const pub = new Redis(url, { maxRetriesPerRequest: 2 });
  const sub = pub.duplicate();
  const state = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
  for (const [name, client] of [["pub", pub], ["sub", sub], ["state", state]] as const) {
    client.on("error", (error) => log.warn("redis_error", { client: name, error: error.message }));
  }
  const ready = Promise.all([pub, sub, state].map((client) => new Promise((resolve) => client.once("ready", resolve))));
  if (!(await Promise.race([ready.then(() => true), Bun.sleep(REDIS_START_WAIT_MS).then(() => false)]))) {
    log.warn("redis_not_ready", { waitedMs: REDIS_START_WAIT_MS });
  }
  return { pub, sub, state };
}

/** A chat room's Socket.IO room is its id; `user:…` and `session:…` rooms address people. */
const isChatRoom = (room: string) => !room.includes(":");

/** Every committed message with after < seq < before, read in pages. */
async function loadAll(sql: Sql, roomId: string, after: number, before: number) {
  const all = [];
  for (;;) {
    const page = await listMessages(sql, roomId, { after, before, limit: 1000 });
    all.push(...page);
    if (page.length < 1000) return all;
    after = page.at(-1)!.seq;
  }
}
