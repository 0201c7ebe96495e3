// Fan-out of a room's events, and of each person's own (roomActivity), with Bun's native
// pub/sub. Socket.IO's broadcast encodes a packet once but then walks the room's sockets in
// JavaScript, through Engine.IO, one write each; here the frame is encoded once and handed to
// Bun once (`server.publish`), and Bun writes it to every WebSocket subscribed to the topic.
// Long-polling sockets have no WebSocket: they stay on Socket.IO's own path until they upgrade.
//
// Order is kept: Bun writes a socket's published and directly sent frames in the order
// they were made, and a socket's Engine.IO buffer is empty whenever it is on a WebSocket
// (that transport writes at once), so a published frame never overtakes an earlier packet.
// Only an acknowledgement may overtake the turn's room frames (see `opened`).
import { type Packet, Parser } from "@socket.io/bun-engine/dist/parser";
import type { Namespace, Socket } from "socket.io";
import { chatRoomOf, USER_ROOM } from "./broadcasts";

/**
 * Bun's WebSocket as @socket.io/bun-engine opens it: its data is the engine transport, to
 * which ChatLoop adds the socket's own topic.
 */
export type EngineWebSocket = Bun.ServerWebSocket<{ transport: object; topic?: string }>;

const topicOf = (room: string) => `room:${room}`;
/** An Engine.IO message ("4") holding a Socket.IO acknowledgement ("3") of the main namespace. */
const isAcknowledgement = (frame: string) => frame.startsWith("43");
/** The Socket.IO rooms that are Bun topics too: chat rooms and each person's own. */
const published = (room: string) => chatRoomOf(room) !== undefined || room.startsWith(USER_ROOM);

/** The engine's WebSocket transport: what it writes, packet by packet, and where. */
interface EngineTransport {
  send(packets: Packet[]): void;
  /** Its WebSocket, set by the engine as it opens (private in the engine's types). */
  socket?: EngineWebSocket;
}

export class Fanout {
  /** Per chat room, its sockets that Bun's topic cannot reach (long-polling ones). */
  private readonly fallback = new Map<string, Set<string>>();
  private sockets = 0;
  /** WebSockets with frames waiting in their own topic this turn: Bun writes them as the turn ends. */
  private readonly queued = new Set<EngineWebSocket>();
  /**
   * The engine transport's `send` for every WebSocket, called as its method: one function for
   * all of them rather than a closure (and its scope) each.
   */
  private readonly sendThroughOwnTopic: (this: EngineTransport, packets: Packet[]) => void;

  constructor(
    private readonly nsp: Namespace,
    /** Bun's `server.publish`; bound late, since the server starts after the realtime side. */
    private readonly publish: (topic: string, frame: string) => void,
  ) {
    const queued = this.queued;
    this.sendThroughOwnTopic = function (packets) {
      const ws = this.socket!;
      for (const packet of packets) {
        const frame = Parser.encodePacket(packet, true);
        if (typeof frame !== "string" || (isAcknowledgement(frame) && !queued.has(ws))) ws.send(frame);
        else {
          publish(ws.data.topic!, frame);
          if (queued.size === 0) setImmediate(() => queued.clear());
          queued.add(ws);
        }
      }
    };
    nsp.adapter.on("join-room", (room: string, id: string) => this.joined(room, id));
    nsp.adapter.on("leave-room", (room: string, id: string) => this.left(room, id));
    nsp.on("connection", (socket: Socket) => {
      if (socket.conn.transport.name === "polling") socket.conn.once("upgrade", () => this.upgraded(socket));
    });
  }

  /** Call from Bun's websocket `open`, before the engine's own handler. */
  opened(ws: EngineWebSocket): void {
    // Everything else the engine writes to this socket (replies, pings) goes through a topic of
    // its own too: Bun then writes what waits for a socket in one go at the end of the turn, room
    // frames included, instead of a system call per frame. An acknowledgement is written at once
    // instead, unless frames of the socket's own wait in its topic (a join's replay, which its
    // acknowledgement must follow): at the end of a turn that publishes to a room of 1,000, the
    // sender's answer would wait for up to 1,000 writes. It may overtake the room's frames of the
    // turn, its own message among them: an answer is no part of the room's order. This takes over
    // the transport's `send(packets)`, where @socket.io/bun-engine (pinned) writes every packet;
    // every socket test goes through it.
    ws.data.topic = `socket:${++this.sockets}`;
    ws.subscribe(ws.data.topic);
    (ws.data.transport as EngineTransport).send = this.sendThroughOwnTopic;
  }

  /** Emits `event` to every local socket in `room`, encoded once; returns how many went the long-polling way. */
  emit(room: string, event: string, payload: unknown): number {
    return this.emitToEach([room], event, payload);
  }

  /** Emits `event` to every local socket in each of `rooms`, encoded once for all; returns how many went the long-polling way. */
  emitToEach(rooms: string[], event: string, payload: unknown): number {
    // An Engine.IO message ("4") holding a Socket.IO event ("2") of the main namespace.
    const frame = `42${JSON.stringify([event, payload])}`;
    const polling: string[] = [];
    for (const room of rooms) {
      this.publish(topicOf(room), frame);
      const fallback = this.fallback.get(room);
      if (fallback) polling.push(...fallback);
    }
    if (polling.length > 0) this.nsp.local.to(polling).emit(event as never, payload as never);
    return polling.length;
  }

  /** The socket's WebSocket, once it is on one (a long-polling transport has none). */
  private websocketOf(id: string): EngineWebSocket | undefined {
    return (this.nsp.sockets.get(id)?.conn.transport as EngineTransport | undefined)?.socket;
  }

  private joined(room: string, id: string): void {
    if (!published(room)) return;
    const ws = this.websocketOf(id);
    if (ws) return void ws.subscribe(topicOf(room));
    let polling = this.fallback.get(room);
    if (!polling) this.fallback.set(room, (polling = new Set()));
    polling.add(id);
  }

  private left(room: string, id: string): void {
    if (!published(room)) return;
    this.websocketOf(id)?.unsubscribe(topicOf(room));
    const polling = this.fallback.get(room);
    if (polling?.delete(id) && polling.size === 0) this.fallback.delete(room);
  }

  /**
   * A long-polling socket moved to a WebSocket: its rooms move to topics. The engine flushes
   * what it buffered right after this, before anything can be published.
   */
  private upgraded(socket: Socket): void {
    const ws = this.websocketOf(socket.id);
    if (!ws) return;
    for (const room of socket.rooms) {
      const polling = this.fallback.get(room);
      if (!polling?.delete(socket.id)) continue;
      if (polling.size === 0) this.fallback.delete(room);
      ws.subscribe(topicOf(room));
    }
  }
}
