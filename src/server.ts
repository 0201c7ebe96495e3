// The composition root: config -> database -> pub/sub -> Socket.IO -> HTTP, on one Bun.serve.

import { Server as Engine } from "@socket.io/bun-engine";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { messageItem } from "../views/message";
import { openStorage } from "./attachments/storage";
import { startSweeper } from "./attachments/uploads";
import { tokenFrom } from "./auth/credentials";
import { TokenSigner } from "./auth/tokens";
import { BotOutbox } from "./bots/outbox";
import { tellingAlso } from "./broadcasts";
import type { Config } from "./config";
import { openDatabase, type Sql } from "./db/sql";
import { Drain } from "./drain";
import { publicError } from "./errors";
import { createHttpApp } from "./http/app";
import { bodyLimitFor, limitBody } from "./http/body-limit";
import { rememberAddress } from "./http/client-address";
import { serveMetrics } from "./http/metrics";
import { callerOrigin, ownOrigin } from "./http/origin";
import { invalidRequest, withParsableUrl } from "./http/request-url";
import { withSecurityHeaders } from "./http/security-headers";
import { handleSocketRequest } from "./http/socket-requests";
import { requireTextBody } from "./http/text-bodies";
import { RateLimiter } from "./limits/rate-limits";
import { log } from "./log";
import { GroupCommit } from "./messages/group-commit";
import type { Message } from "./messages/schemas";
import { createMetrics } from "./metrics";
import { LinkPreviews } from "./previews/unfurl";
import { PushDispatcher } from "./push/dispatcher";
import type { ChatServer } from "./realtime/broadcasts";
import type { MessageWithHtml } from "./realtime/events";
import { attachGateway } from "./realtime/gateway";
import { forgetHandshakeRequests } from "./realtime/idle-connections";
import { answerOversizeFrames, frameReadLimitBytes } from "./realtime/oversize-frames";
import { capPollingResponses } from "./realtime/polling";
import { startRealtime } from "./realtime/realtime";
import { REPLAY_LIMIT } from "./realtime/room-feeds";
import { MemoryState, RedisState } from "./state/fast-state";

export interface ChatLoop {
  url: URL;
  /** Where METRICS_PORT serves /metrics, when it is set. */
  metricsUrl?: URL;
  sql: Sql;
  io: ChatServer;
  stop(): Promise<void>;
}

const SOCKET_PATH = "/socket.io/";
/**
 * Unread output a WebSocket may hold: a whole replay of the longest messages must fit (each
 * character up to 4 bytes of UTF-8, plus the message's envelope), or a client that is far
 * behind could never catch up.
 */
export const slowConsumerLimitBytes = (maxMessageLength: number) => REPLAY_LIMIT * (maxMessageLength * 4 + 1024);
/** The state client gives up on a Redis this slow (frozen, say); its readers then do without. */
const STATE_COMMAND_TIMEOUT_MS = 250;
/** A publish gives up on a Redis this slow (frozen, say): the adapter's own sockets wait for it. */
const PUBLISH_TIMEOUT_MS = 1000;
/** How often each instance looks for uploads never attached (each is removed by one instance only). */
const SWEEP_EVERY_MS = 15 * 60 * 1000;
/** How long start-up waits for Redis before it serves without it. */
const REDIS_START_WAIT_MS = 5000;

export async function startChatLoop(config: Config): Promise<ChatLoop> {
  const db = await openDatabase(config);
  const { sql } = db;
  const signer = new TokenSigner(config.jwtSecret);

  const io: ChatServer = new Server({ serveClient: false });
  const frameReadLimit = frameReadLimitBytes(config.maxBodyBytes);
  const engine = new Engine({ path: SOCKET_PATH, maxHttpBufferSize: frameReadLimit, allowRequest: refuseCrossSiteCookie });
  io.bind(engine);
  forgetHandshakeRequests(engine);
  capPollingResponses(engine);
  answerOversizeFrames(engine, config.maxBodyBytes);

  const redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined;
  // Sharded pub/sub (Redis 7), "dynamic": an event for one Socket.IO room (a chat room, a
  // person's own) goes only to the instances with sockets in it.
  if (redis) io.adapter(createShardedAdapter(redis.pub, redis.sub, { channelPrefix: `${config.redisPrefix}:socket.io`, subscriptionMode: "dynamic" }));
  const state = redis ? new RedisState(redis.state, `${config.redisPrefix}:`) : new MemoryState();

  const metrics = createMetrics({ connections: () => io.of("/").sockets.size, watchedRooms: () => realtime.feeds.size });
  // Bun's pub/sub belongs to the server, which starts last, once everything it serves exists.
  let server: Bun.Server<unknown> | undefined;
  const publish = (topic: string, frame: string) => void server?.publish(topic, frame);
  const realtime = startRealtime({
    io,
    maxConnectionsPerUser: config.maxConnectionsPerUser,
    sql,
    state,
    metrics,
    cluster: redis && { pub: redis.pub, roomsSub: redis.roomsSub, prefix: `${config.redisPrefix}:` },
    withHtml,
    publish,
  });
  const { connections, feeds, presence } = realtime;
  // Web Push, for the people a message concerns who have no ChatLoop open anywhere.
  const push = new PushDispatcher({ sql, metrics, push: config.push, withOpenSockets: (userIds) => connections.withOpenSockets(userIds) });
  // Bots hear of the messages that concern them through the outbox, drained on every instance.
  const outbox = new BotOutbox(config.bots);
  // Links are previewed after their message is stored, by the instance that stored it.
  const previews = config.linkPreviews ? new LinkPreviews({ sql, broadcasts: realtime.broadcasts }, config.bots.allowPrivate) : undefined;
  const broadcasts = tellingAlso(
    realtime.broadcasts,
    (message) => push.messageStored(message),
    (message) => previews?.messageStored(message),
    // A mention may be of a bot: the outbox looks at once (a direct room's waits for its next poll).
    (message) => {
      if (message.mentions.length > 0) outbox.nudge();
    },
  );

  const limiter = new RateLimiter(state, config.limits);
  const messageStore = new GroupCommit(sql, Math.max(1, db.connections / 2), (size) => metrics.messageBatchSize.observe(size));
  outbox.start({ sql, broadcasts, limiter, messageStore, maxMessageLength: config.maxMessageLength });
  const drain = new Drain();
  const storage = openStorage(config.uploads.storage);
  const sweeper = startSweeper({ sql, storage }, SWEEP_EVERY_MS);
  attachGateway(io, {
    connections,
    drain,
    limiter,
    metrics,
    sql,
    signer,
    state,
    broadcasts,
    messageStore,
    feeds,
    withHtml,
    maxMessageLength: config.maxMessageLength,
    maxFrameBytes: config.maxBodyBytes,
  });
  const app = createHttpApp({
    limiter,
    metrics,
    metricsToken: config.metricsToken,
    presence,
    state,
    sql,
    signer,
    broadcasts,
    messageStore,
    auth: { tokenTtlSeconds: config.tokenTtlSeconds, passwordHashing: config.passwordHashing, registration: config.registration },
    maxMessageLength: config.maxMessageLength,
    publicUrl: config.publicUrl,
    storage,
    maxUploadBytes: config.uploads.maxBytes,
    push: { publicKey: config.push.vapid.publicKey, allowPrivateEndpoints: config.push.allowPrivateEndpoints },
    webhooksAllowPrivate: config.bots.allowPrivate,
  });

  const { websocket, idleTimeout } = engine.handler();
  server = Bun.serve({
    hostname: config.host,
    port: config.port,
    reusePort: false, // a second process on the same port must fail, not split the traffic
    // Bun's own limit answers with an empty 413: limitBody is the limit instead, in the API's
    // words (a declared Content-Length refused unread, a chunked body read no further than it).
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    idleTimeout,
    // The slow-consumer policy: a socket that stops reading is closed once this much is
    // waiting for it, instead of growing without bound (the engine ignores backpressure);
    // its client reconnects and catches up by seq.
    websocket: {
      ...websocket,
      open(ws) {
        realtime.fanout.opened(ws);
        websocket.open(ws);
      },
      backpressureLimit: slowConsumerLimitBytes(config.maxMessageLength),
      closeOnBackpressureLimit: true,
      // Off, as by default, and said aloud (test/idle-connections.test.ts): the frames are small
      // JSON, and compression costs CPU on every frame and, with context takeover, zlib state
      // kept for every connection.
      perMessageDeflate: false,
    },
    async fetch(incoming, server) {
      const request = withParsableUrl(incoming);
      if (!request) return withSecurityHeaders(invalidRequest("the request's target and Host header do not make a URL"));
      const path = new URL(request.url).pathname;
      const socketRequest = path === SOCKET_PATH;
      const bodyLimit = socketRequest ? frameReadLimit : bodyLimitFor(request.method, path, { maxBodyBytes: config.maxBodyBytes, maxUploadBytes: config.uploads.maxBytes });
      const limited = await limitBody(request, bodyLimit);
      if (socketRequest) return limited instanceof Response ? limited : handleSocketRequest(engine, limited, server);
      if (limited instanceof Response) return withSecurityHeaders(limited);
      const readable = await requireTextBody(limited);
      if (readable instanceof Response) return withSecurityHeaders(readable);
      rememberAddress(readable, server.requestIP(incoming)?.address, config.trustProxy);
      return withSecurityHeaders(await drain.run(() => app.handle(readable)).catch(shuttingDown));
    },
  });
  const metricsServer = config.metricsPort === undefined ? undefined : serveMetrics(metrics, config.host, config.metricsPort, config.metricsToken);
  const url = new URL(`http://${config.host}:${server.port}`);
  log.info("started", { url: url.href, database: config.databaseUrl ? "postgresql" : "embedded", pubsub: redis ? "redis" : "in-process" });

  return {
    url,
    metricsUrl: metricsServer && new URL(`http://${config.host}:${metricsServer.port}/metrics`),
    sql,
    io,
    /**
     * Stops gracefully: no new connections, no new work; what is running finishes; then the
     * sockets are let go (their clients reconnect to another instance) and everything closes.
     */
    async stop() {
      realtime.stop();
      sweeper.stop();
      void server.stop(false);
      await drain.drain();
      await outbox.stop();
      await previews?.stop();
      await push.stop();
      // This instance's own sockets only: without `local`, the adapter disconnects every socket
      // of every instance, and one instance's rolling restart would cut off the whole cluster.
      io.local.disconnectSockets(true);
      await server.stop(true);
      await metricsServer?.stop(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await Promise.all(Object.values(redis ?? {}).map((client) => client.quit())).catch(() => {});
      await db.close();
    },
  };
}

/** A message with its fragment for browser sockets: the template of the history, rendered once. */
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

function shuttingDown(error: unknown): Response {
  const { status, code, message } = publicError(error);
  return Response.json({ code, message }, { status });
}

// Redis commands fail fast while Redis is away instead of piling up in memory: published ones
// retry twice and give up after PUBLISH_TIMEOUT_MS (what they carry is also in the log, and the
// adapter delivers an event to this instance's own sockets only once Redis has answered or
// failed), the state client's not at all, and not for long when Redis hangs (its readers fall
// back to PostgreSQL or do without). The room channels' subscriber queues nothing: it
// resubscribes itself (RoomChannels). Start-up waits a while for Redis (the state client
// refuses commands until it is connected, and limits would go uncounted); a Redis that stays
// away does not keep ChatLoop down.
async function connectRedis(url: string) {
  const pub = new Redis(url, { maxRetriesPerRequest: 2, commandTimeout: PUBLISH_TIMEOUT_MS });
  const sub = new Redis(url, { maxRetriesPerRequest: 2 });
  const roomsSub = new Redis(url, { autoResubscribe: false, enableOfflineQueue: false });
  const state = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: STATE_COMMAND_TIMEOUT_MS });
  const clients = { pub, sub, roomsSub, state };
  for (const [name, client] of Object.entries(clients)) {
    client.on("error", (error) => log.warn("redis_error", { client: name, error: error.message }));
  }
  const ready = Promise.all(Object.values(clients).map((client) => new Promise((resolve) => client.once("ready", resolve))));
  if (!(await Promise.race([ready.then(() => true), Bun.sleep(REDIS_START_WAIT_MS).then(() => false)]))) {
    log.warn("redis_not_ready", { waitedMs: REDIS_START_WAIT_MS });
  } else {
    // Sharded pub/sub came with Redis 7: an older one would refuse every room's subscription.
    const version = /redis_version:(\d+)/.exec(await state.info("server"))?.[1];
    if (Number(version) < 7) throw new Error(`REDIS_URL: Redis ${version} cannot carry ChatLoop's pub/sub, which needs Redis 7 or later`);
  }
  return clients;
}
