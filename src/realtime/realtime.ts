// The realtime side of one instance: each room's changes delivered in rev order (the feeds),
// to JSON sockets as they are and to browser sockets with their fragment, rendered once; the
// broadcasts the domain reports to; presence; and reconciliation with the log.

import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Sql } from "../db/sql";
import { log } from "../log";
import { listChanges, loadChanges, loadMessages } from "../messages/log";
import type { Message } from "../messages/schemas";
import type { Metrics } from "../metrics";
import { logHeads } from "../rooms/rooms";
import { standings } from "../rooms/unread";
import type { FastState } from "../state/fast-state";
import { InstanceMarks, LocalMarks, MARKS_HEARTBEAT_MS } from "../state/instance-marks";
import { PostedDigest, RoomActivity } from "./activity";
import { type ChatServer, chatRoomOf, createBroadcasts, endSessionHere, everyoneIn, htmlRoom, USER_ROOM, userRoom } from "./broadcasts";
import { ConnectionCount } from "./connections";
import type { MessageWithHtml } from "./events";
import { Fanout } from "./fanout";
import { Presence, presenceAnnouncer } from "./presence";
import { RoomChannels } from "./room-channels";
import { type LogEvent, RoomFeeds } from "./room-feeds";

/** How often an instance checks its rooms against the log; bounds how late a lost message can be. */
const RECONCILE_INTERVAL_MS = 2000;

export interface RealtimeDeps {
  io: ChatServer;
  maxConnectionsPerUser: number;
  sql: Sql;
  state: FastState;
  metrics: Metrics;
  /** Other instances share the adapter, and these Redis clients (see RoomChannels). */
  cluster?: { pub: Redis; roomsSub: Redis; prefix: string };
  /** The message with its HTML fragment, for browser sockets. */
  withHtml: (message: Message) => MessageWithHtml;
  /** Bun's native pub/sub: sends a frame to every WebSocket subscribed to the topic. */
  publish: (topic: string, frame: string) => void;
}

export function startRealtime({ io, maxConnectionsPerUser, sql, state, metrics, cluster, withHtml, publish }: RealtimeDeps) {
  const nsp = io.of("/");
  const socketsIn = (room: string) => nsp.adapter.rooms.get(room)?.size ?? 0;
  const warn = (event: string) => (error: unknown) => log.warn(event, { error: String(error) });

  const fanout = new Fanout(nsp, publish);
  const deliver = (room: string, event: LogEvent, message: Message | MessageWithHtml) => {
    const polling = fanout.emit(room, event, message);
    metrics.messagesDelivered.inc({ path: "websocket" }, socketsIn(room) - polling);
    if (polling) metrics.messagesDelivered.inc({ path: "polling" }, polling);
  };
  const feeds = new RoomFeeds({
    // The one place a room's log reaches its sockets: JSON ones as it is, browser ones with
    // the fragment, rendered once for all of them.
    deliver(event, message) {
      const browsers = htmlRoom(message.roomId);
      deliver(message.roomId, event, message);
      if (socketsIn(browsers) > 0) deliver(browsers, event, withHtml(message));
    },
    load: (roomId, after, before) => loadMessages(sql, roomId, after, before),
    loadChanges: (roomId, since, maxSeq, limit) => (limit ? listChanges(sql, roomId, since, limit, maxSeq) : loadChanges(sql, roomId, since, maxSeq)),
    heads: (roomIds) => logHeads(sql, roomIds),
    watch: async (roomId) => channels?.watch(roomId),
    unwatch: (roomId) => channels?.unwatch(roomId),
    localSockets: (roomId) => everyoneIn(roomId).reduce((sum, room) => sum + socketsIn(room), 0),
    backfilled: (count) => metrics.messagesBackfilled.inc({}, count),
    onError: (error, context) => log.error("room_feed_failed", error, { context }),
  });
  nsp.adapter.on("delete-room", (room: string) => {
    const roomId = chatRoomOf(room);
    if (roomId) feeds.roomEmptied(roomId);
  });
  const activity = new RoomActivity({
    standings: (roomIds, userIds) => standings(sql, roomIds, userIds),
    tell: (userIds, event, payload) => fanout.emitToEach(userIds.map(userRoom), event, payload),
    onError: warn("room_activity_failed"),
  });
  // A person's own Socket.IO room exists here while they have a socket here.
  nsp.adapter.on("create-room", (room: string) => room.startsWith(USER_ROOM) && activity.usersHere.add(room.slice(USER_ROOM.length)));
  nsp.adapter.on("delete-room", (room: string) => room.startsWith(USER_ROOM) && activity.usersHere.delete(room.slice(USER_ROOM.length)));
  io.on("messagesPosted", (messages) => {
    for (const message of messages) activity.posted(message);
  });
  io.on("sessionEnded", (sessionId, userId) => endSessionHere(io, sessionId, userId));

  // Instances can miss each other's messages, and even a lone instance can miss its own: a
  // statement that commits after its answer deadline has passed told its senders `unavailable`
  // and nobody else anything. So every instance checks its rooms against the log (one query
  // for all of them), and delivers what it missed.
  const reconcile = () => feeds.reconcile().catch(warn("reconcile_failed"));
  const reconciling = setInterval(reconcile, RECONCILE_INTERVAL_MS);
  const channels =
    cluster &&
    new RoomChannels({
      pub: cluster.pub,
      sub: cluster.roomsSub,
      prefix: `${cluster.prefix}room:`,
      received: (message) => feeds.receive(message),
      resubscribed: reconcile,
      onError: warn("room_channel_failed"),
    });
  const digest = cluster && new PostedDigest((messages) => io.serverSideEmit("messagesPosted", messages));
  const broadcasts = createBroadcasts(io, feeds, activity, metrics, channels && digest && { channels, digest });

  // Shared with the other instances through Redis, named by 96 random bits (16 characters
  // rather than a UUID's 36: every mark, a connection or a person present in a room, carries it).
  const marks = cluster ? new InstanceMarks(state, randomBytes(12).toString("base64url")) : new LocalMarks();
  const connections = new ConnectionCount(marks, maxConnectionsPerUser);
  const announcer = presenceAnnouncer((changes) => {
    for (const room of everyoneIn(changes.roomId)) io.to(room).emit("presence", changes);
  });
  // Socket.IO's rooms as they are when it says a socket joined or left one: each of the user's
  // sockets is in the user's room (joined before any chat room, left before them on disconnect).
  const otherSocketHere = (roomId: string, userId: string, socketId: string) => {
    const rooms = everyoneIn(roomId).map((room) => nsp.adapter.rooms.get(room));
    for (const id of nsp.adapter.rooms.get(userRoom(userId)) ?? []) if (id !== socketId && rooms.some((sockets) => sockets?.has(id))) return true;
    return false;
  };
  const presence = new Presence(marks, announcer.changed, otherSocketHere);
  let stopping = false;
  const track = (change: "joined" | "left") => (room: string, socketId: string) => {
    // A stopping instance announces nothing: its sockets leave as it closes Redis, and its
    // marks expire by themselves.
    if (stopping) return;
    const roomId = chatRoomOf(room);
    const userId = nsp.sockets.get(socketId)?.data.principal?.userId;
    if (roomId && userId) presence[change](roomId, userId, socketId).catch(warn("presence_failed"));
  };
  nsp.adapter.on("join-room", track("joined"));
  nsp.adapter.on("leave-room", track("left"));
  const heartbeat = setInterval(() => marks.renew().catch(warn("presence_failed")), MARKS_HEARTBEAT_MS);

  return {
    connections,
    fanout,
    feeds,
    broadcasts,
    presence,
    reconcile,
    stop() {
      stopping = true;
      announcer.stop();
      activity.stop();
      digest?.flush();
      clearInterval(heartbeat);
      clearInterval(reconciling);
    },
  };
}
