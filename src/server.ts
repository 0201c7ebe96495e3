// The composition root: config -> database -> pub/sub -> Socket.IO -> HTTP, on one Bun.serve.
import { createAdapter } from "@socket.io/redis-adapter";
import { Server as Engine } from "@socket.io/bun-engine";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import type { Config } from "./config";
import { TokenSigner } from "./auth/tokens";
import { openDatabase, type Sql } from "./db/sql";
import { createHttpApp } from "./http/app";
import { log } from "./log";
import { listMessages } from "./messages/messages";
import { attachGateway } from "./realtime/gateway";
import { createHub, type ChatServer } from "./realtime/hub";
import { RoomFeeds } from "./realtime/room-feeds";

export interface ChatLoop {
  url: URL;
  sql: Sql;
  io: ChatServer;
  stop(): Promise<void>;
}

const SOCKET_PATH = "/socket.io/";

export async function startChatLoop(config: Config): Promise<ChatLoop> {
  const db = await openDatabase(config);
  const { sql } = db;
  const signer = new TokenSigner(config.jwtSecret);

  const io: ChatServer = new Server({ serveClient: false });
  const engine = new Engine({ path: SOCKET_PATH, maxHttpBufferSize: config.maxBodyBytes });
  io.bind(engine);

  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  if (redis) io.adapter(createAdapter(redis.pub, redis.sub, { key: `${config.redisPrefix}:socket.io` }));

  const feeds = new RoomFeeds({
    deliver: (message) => io.local.to(message.roomId).emit("newMessage", message),
    load: (roomId, after, before) => loadAll(sql, roomId, after, before),
    newestSeq: async (roomId) => Number((await sql`select last_seq from rooms where id = ${roomId}`)[0]?.last_seq ?? 0),
    localSockets: (roomId) => io.of("/").adapter.rooms.get(roomId)?.size ?? 0,
    onError: (error, context) => log.error("room_feed_failed", error, { context }),
  });
  io.of("/").adapter.on("delete-room", (room: string) => feeds.roomEmptied(room));
  io.on("messageStored", (message) => feeds.receive(message));
  const hub = createHub(io, feeds, redis !== undefined);

  attachGateway(io, { sql, signer, hub, feeds, maxMessageLength: config.maxMessageLength });
  const app = createHttpApp({
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
    // Bun's own limit answers with an empty 413; ours, below, answers in the API's words.
    // Bun's stays as a backstop for bodies sent without a Content-Length.
    maxRequestBodySize: config.maxBodyBytes * 2,
    idleTimeout,
    websocket,
    fetch(request, server) {
      // An HTTP/1.0 request without a Host header has a bare path for its url.
      const { pathname } = new URL(request.url, "http://localhost");
      if (pathname === SOCKET_PATH) return engine.handleRequest(request, server);
      if (Number(request.headers.get("content-length") ?? 0) > config.maxBodyBytes) return bodyTooLarge(config.maxBodyBytes);
      return app.handle(request);
    },
  });
  const url = new URL(`http://${config.host}:${server.port}`);
  log.info("started", { url: url.href, database: config.databaseUrl ? "postgresql" : "embedded", pubsub: redis ? "redis" : "in-process" });

  return {
    url,
    sql,
    io,
    async stop() {
      io.disconnectSockets(true);
      await server.stop(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      redis?.pub.disconnect();
      redis?.sub.disconnect();
      await db.close();
    },
  };
}

function bodyTooLarge(limit: number): Response {
  return Response.json({ code: "body_too_large", message: `the request body must be at most ${limit} bytes` }, { status: 413 });
}

// Redis commands fail fast while Redis is away instead of piling up in memory.
function connectRedis(url: string) {
  const pub = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
  const sub = pub.duplicate();
  for (const [name, client] of [["pub", pub], ["sub", sub]] as const) {
    client.on("error", (error) => log.warn("redis_error", { client: name, error: error.message }));
  }
  return { pub, sub };
}

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
