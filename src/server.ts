// The composition root: config -> database -> pub/sub -> Socket.IO -> HTTP, on one Bun.serve.
import { createAdapter } from "@socket.io/redis-adapter";
import { Server as Engine } from "@socket.io/bun-engine";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import type { Config } from "./config";
import { messageItem } from "../views/message";
import { tokenFrom } from "./auth/credentials";
import { TokenSigner } from "./auth/tokens";
import { openDatabase, type Sql } from "./db/sql";
import { createHttpApp } from "./http/app";
import { callerOrigin, ownOrigin } from "./http/origin";
import { log } from "./log";
import { listMessages } from "./messages/messages";
import type { Message } from "./messages/schemas";
import type { MessageWithHtml } from "./realtime/events";
import { attachGateway } from "./realtime/gateway";
import { chatRoomOf, createHub, htmlRoom, type ChatServer } from "./realtime/hub";
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
  const engine = new Engine({ path: SOCKET_PATH, maxHttpBufferSize: config.maxBodyBytes, allowRequest: refuseCrossSiteCookie });
  io.bind(engine);

  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  if (redis) io.adapter(createAdapter(redis.pub, redis.sub, { key: `${config.redisPrefix}:socket.io` }));

  const socketsIn = (room: string) => io.of("/").adapter.rooms.get(room)?.size ?? 0;
  const feeds = new RoomFeeds({
    deliver(message) {
      io.local.to(message.roomId).emit("newMessage", message);
      const browsers = htmlRoom(message.roomId);
      if (socketsIn(browsers) > 0) io.local.to(browsers).emit("newMessage", withHtml(message)); // rendered once, here
    },
    load: (roomId, after, before) => loadAll(sql, roomId, after, before),
    newestSeq: async (roomId) => Number((await sql`select last_seq from rooms where id = ${roomId}`)[0]?.last_seq ?? 0),
    localSockets: (roomId) => socketsIn(roomId) + socketsIn(htmlRoom(roomId)),
    onError: (error, context) => log.error("room_feed_failed", error, { context }),
  });
  io.of("/").adapter.on("delete-room", (room: string) => feeds.roomEmptied(chatRoomOf(room)));
  io.on("messageStored", (message) => feeds.receive(message));
  const hub = createHub(io, feeds, redis !== undefined);

  attachGateway(io, { sql, signer, hub, feeds, withHtml, maxMessageLength: config.maxMessageLength });
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
    maxRequestBodySize: config.maxBodyBytes,
    idleTimeout,
    websocket,
    fetch(request, server) {
      const { pathname } = new URL(request.url);
      return pathname === SOCKET_PATH ? engine.handleRequest(request, server) : app.handle(request);
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

const withHtml = (message: Message): MessageWithHtml => ({ ...message, html: messageItem(message).value });

/**
 * Cross-site WebSocket hijacking: a foreign page can open a socket to us and the browser adds
 * the session cookie. A handshake that carries the cookie must come from our own origin;
 * clients that authenticate with `auth: { token }` carry no cookie and may come from anywhere.
 */
async function refuseCrossSiteCookie(request: Request): Promise<void> {
  if (!tokenFrom(undefined, request.headers.get("cookie"))) return;
  const origin = callerOrigin(request);
  if (origin !== undefined && origin !== ownOrigin(request)) throw "cross_site_request";
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
