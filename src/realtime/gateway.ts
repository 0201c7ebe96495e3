// The Socket.IO edge: authenticates the handshake, validates every event with the HTTP
// schemas, calls the domain, and answers with the event, the acknowledgement, or `error`.
import type { Socket } from "socket.io";
import { authenticate, requireSelf, type Sessions } from "../auth/accounts";
import { tokenFrom } from "../auth/credentials";
import type { Broadcasts } from "../broadcasts";
import type { Drain } from "../drain";
import { badRequest, forbidden, publicError, unauthorized } from "../errors";
import type { RateLimiter } from "../limits/rate-limits";
import { log } from "../log";
import { deleteMessage, editMessage, react, unreact } from "../messages/change";
import type { GroupCommit } from "../messages/group-commit";
import { type Message, SendMessage } from "../messages/schemas";
import { sendMessage } from "../messages/send";
import type { Metrics } from "../metrics";
import { markRead } from "../rooms/reading";
import { findVisibleRoom, joinRoom, leaveRoom } from "../rooms/rooms";
import type { FastState } from "../state/fast-state";
import { compileValidator } from "../validation";
import { type ChatServer, everyoneIn, htmlRoom, type SocketData, userRoom } from "./broadcasts";
import type { ConnectionCount } from "./connections";
import {
  type ClientToServerEvents,
  DeleteMessagePayload,
  EditMessagePayload,
  type InterServerEvents,
  JoinRoomPayload,
  LeaveRoomPayload,
  MarkReadPayload,
  type MessageWithHtml,
  ReactPayload,
  type ServerToClientEvents,
  TypingPayload,
} from "./events";
import { Expiries } from "./expiries";
import { spendHandshake } from "./idle-connections";
import { refuseOversize } from "./oversize-frames";
import { type RoomFeeds, requireReplayable } from "./room-feeds";

type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface GatewayDeps extends Sessions {
  connections: ConnectionCount;
  limiter: RateLimiter;
  drain: Drain;
  metrics: Metrics;
  broadcasts: Broadcasts;
  state: FastState;
  messageStore: GroupCommit;
  feeds: RoomFeeds;
  maxMessageLength: number;
  /** MAX_BODY_BYTES: larger events are refused as too_large (see oversize-frames.ts). */
  maxFrameBytes: number;
  /** The message with its HTML fragment, for browser sockets. */
  withHtml(message: Message): MessageWithHtml;
}

const validJoin = compileValidator(JoinRoomPayload);
const validLeave = compileValidator(LeaveRoomPayload);
const validSend = compileValidator(SendMessage);
const validEdit = compileValidator(EditMessagePayload);
const validDelete = compileValidator(DeleteMessagePayload);
const validReaction = compileValidator(ReactPayload);
const validTyping = compileValidator(TypingPayload);
const validMarkRead = compileValidator(MarkReadPayload);

/** A person's typing in a room is announced at most once per this many ms (the contract's 2 s). */
const TYPING_INTERVAL_MS = 2000;

export function attachGateway(io: ChatServer, deps: GatewayDeps): void {
  io.use(async (socket, next) => {
    try {
      const { headers, auth, query } = socket.handshake;
      if (query.token !== undefined || query.access_token !== undefined) throw badRequest("token_in_url", "never put a token in a URL: pass auth: { token } in the handshake");
      const header = (name: string) => (headers as unknown as Headers).get?.(name) ?? (headers[name] as string | undefined);
      const given = typeof auth?.token === "string" ? auth.token.replace(/^Bearer\s+/i, "") : undefined;
      const token = given ?? tokenFrom(header("authorization"), header("cookie"));
      if (!token) throw unauthorized("missing_token", "sign in first: pass auth: { token } in the handshake");
      socket.data.principal = await authenticate(deps, token);
      socket.data.wantsHtml = auth?.format === "html";
      await deps.connections.open(socket.data.principal.userId, socket.id);
      spendHandshake(socket); // done with: a connection need not keep its token, nor its headers
      next();
    } catch (error) {
      const { message, code } = publicError(error);
      next(Object.assign(new Error(message), { data: { code } }));
    }
  });

  // Listeners made once and shared by every socket (Socket.IO calls them with the socket as
  // `this`), so that an idle connection costs no closures of its own.
  const events: Record<keyof ClientToServerEvents, Listener> = {
    joinRoom: handler(deps, "joinRoom", validJoin, async (socket, { roomId, userId, after, since }) => {
      const { principal } = socket.data;
      requireSelf(principal, userId);
      // Refused before the membership is made: a failed event changes nothing.
      if (after !== undefined) {
        const { lastSeq } = await findVisibleRoom(deps.sql, principal.userId, roomId);
        requireReplayable(lastSeq - after, `GET /messages/${roomId}?after=${after}`);
      }
      await joinRoom(deps.sql, principal.userId, roomId);
      await deps.feeds.subscribe(
        roomId,
        {
          replay: (event, message) => socket.emit(event, socket.data.wantsHtml ? deps.withHtml(message) : message),
          join: () => socket.connected && (socket.join(socket.data.wantsHtml ? htmlRoom(roomId) : roomId), true),
        },
        { after, since },
      );
      const joined = { roomId, userId: principal.userId };
      socket.emit("roomJoined", joined);
      return joined;
    }),

    leaveRoom: handler(deps, "leaveRoom", validLeave, async (socket, { roomId, userId }) => {
      const { principal } = socket.data;
      requireSelf(principal, userId);
      await leaveRoom(deps, principal.userId, roomId);
      const left = { roomId, userId: principal.userId };
      socket.emit("roomLeft", left);
      return left;
    }),

    sendMessage: handler(deps, "sendMessage", validSend, async (socket, payload) => (await sendMessage(deps, socket.data.principal, payload)).message),
    editMessage: handler(deps, "editMessage", validEdit, (socket, { messageId, content }) => editMessage(deps, socket.data.principal.userId, messageId, content)),
    deleteMessage: handler(deps, "deleteMessage", validDelete, (socket, { messageId }) => deleteMessage(deps, socket.data.principal.userId, messageId)),
    react: handler(deps, "react", validReaction, (socket, { messageId, emoji }) => react(deps, socket.data.principal.userId, messageId, emoji)),
    unreact: handler(deps, "unreact", validReaction, (socket, { messageId, emoji }) => unreact(deps, socket.data.principal.userId, messageId, emoji)),

    markRead: handler(deps, "markRead", validMarkRead, (socket, { roomId, seq, onlyForward }) => markRead(deps, socket.data.principal.userId, roomId, seq, onlyForward)),

    // Ephemeral: never stored. Only a socket that joined the room may say so (its membership was
    // checked then), and the room hears it at most once per person every TYPING_INTERVAL_MS,
    // counted in the shared state so that two tabs on two instances count as one.
    typing: handler(deps, "typing", validTyping, async (socket, { roomId }) => {
      if (!everyoneIn(roomId).some((room) => socket.rooms.has(room))) throw forbidden("not_joined", "join the room first");
      const { userId, username } = socket.data.principal;
      // Redis away: announced unthrottled, as limits go uncounted meanwhile.
      const { count } = await deps.state.hit(`typing:${roomId}:${userId}`, TYPING_INTERVAL_MS).catch(() => ({ count: 1 }));
      if (count === 1) for (const room of everyoneIn(roomId)) socket.to(room).emit("typing", { roomId, userId, username });
      return { roomId };
    }),
  };

  function unknownEvent(this: ChatSocket, event: string, ...args: unknown[]): void {
    if (Object.hasOwn(events, event)) return;
    const error = { message: `unknown event "${event}"`, code: "unknown_event" };
    this.emit("error", error);
    const ack = args.at(-1);
    if (typeof ack === "function") ack(error);
  }

  function disconnected(this: ChatSocket): void {
    deps.connections.closed(this.data.principal.userId, this.id).catch(() => {}); // the mark expires by itself
  }

  const sockets = io.of("/").sockets;
  const expiries = new Expiries({ expire: (id) => sockets.get(id)?.disconnect(true), isLive: (id) => sockets.has(id), liveCount: () => sockets.size });

  io.on("connection", (socket: ChatSocket) => {
    const { principal } = socket.data;
    // Its user's room: where everything for the person goes, and where its session is found when it ends.
    void socket.join(userRoom(principal.userId));
    // A live socket lives no longer than the token that opened it, and no longer than a timer
    // can wait (about 24 days; see Expiries): its client then reconnects.
    expiries.add(socket.id, principal.expiresAt ? principal.expiresAt.getTime() - Date.now() : Infinity);
    socket.on("disconnect", disconnected);
    for (const [event, listener] of Object.entries(events)) socket.on(event as keyof ClientToServerEvents, listener);
    socket.onAny(unknownEvent);
  });
}

type Listener = (this: ChatSocket, ...args: unknown[]) => Promise<void>;

/**
 * Runs one event: validates the payload, then answers through the acknowledgement when the
 * client asked for one; a failure also goes out as `error`, and changes nothing.
 */
function handler<P, R>(
  { drain, metrics, maxFrameBytes }: Pick<GatewayDeps, "drain" | "metrics" | "maxFrameBytes">,
  event: keyof ClientToServerEvents,
  validate: (value: unknown) => P,
  run: (socket: ChatSocket, payload: P) => Promise<R>,
): Listener {
  return async function (this: ChatSocket, ...args: unknown[]) {
    const ack = typeof args.at(-1) === "function" ? (args.pop() as (answer: unknown) => void) : undefined;
    const started = performance.now();
    let outcome = "ok";
    try {
      refuseOversize(args[0], maxFrameBytes);
      const answer = await drain.run(() => run(this, validate(args[0])));
      ack?.(answer);
    } catch (error) {
      const { status, ...answer } = publicError(error);
      outcome = answer.code;
      if (status >= 500) log.error("socket_event_failed", error, { event, socket: this.id });
      this.emit("error", answer);
      ack?.(answer);
    } finally {
      metrics.socketEvents.inc({ event, outcome });
      metrics.socketEventDuration.observe((performance.now() - started) / 1000, { event });
    }
  };
}
