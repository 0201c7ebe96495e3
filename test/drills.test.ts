// Fault drills: a consumer that stops reading, a reconnect storm, a frozen Redis. Each drill
// keeps a ledger of what clients sent, what was acknowledged and what each of them received,
// and joins it with the log at the end: every acknowledged message stored exactly once, the
// room's seqs 1..N without gaps, every member with every message exactly once and in order,
// nothing for outsiders, and no ChatLoop process dead.
import { afterEach, describe, expect, test } from "bun:test";
import { type Socket as TcpSocket, connect as tcpConnect } from "node:net";
import postgres from "postgres";
import type { Config } from "../src/config";
import type { Message } from "../src/messages/schemas";
import { REPLAY_LIMIT } from "../src/realtime/room-feeds";
import { slowConsumerLimitBytes } from "../src/server";
import { ChatLoopFromSource } from "./chatloop-process";
import {
  api,
  type ChatSocket,
  closeSockets,
  connect,
  createRoom,
  databaseUrl,
  type Endpoint,
  flush,
  freshDatabase,
  onPresence,
  type Person,
  redisUrl,
  signUp,
  startServer,
  stopServer,
  testConfig,
} from "./harness";
import { OwnRedis } from "./services";

const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const seqs = (messages: { seq: number }[]) => messages.map((m) => m.seq);

/** Rejects when `promise` takes longer than `ms`: every wait in a drill is bounded. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: Timer | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Polls a condition about a process we started, up to a deadline. */
async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

// ---- the ledger and its checker ----------------------------------------------------------------

/** What the clients of one room did and saw. */
class Ledger {
  readonly sent = new Set<string>();
  readonly acked = new Map<string, Message>();
  /** Each member client's messages, across its reconnects, in the order received. */
  readonly members = new Map<string, Message[]>();
  /** Each outsider client's messages: must stay empty. */
  readonly outsiders = new Map<string, Message[]>();

  constructor(readonly roomId: string) {}
}

interface Stored {
  id: string;
  seq: number;
  clientId: string | null;
}

/** The room's log, straight from PostgreSQL when there is one, else through the API (the embedded database belongs to the process). */
async function storedLog(server: Endpoint, config: Config, reader: Person, roomId: string): Promise<Stored[]> {
  if (config.databaseUrl) {
    const sql = postgres(config.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ id: string; seq: string; client_id: string | null }[]>`select id, seq, client_id from messages where room_id = ${roomId} order by seq`;
      return rows.map((r) => ({ id: r.id, seq: Number(r.seq), clientId: r.client_id }));
    } finally {
      await sql.end();
    }
  }
  const all: Stored[] = [];
  for (;;) {
    const page = await api(server, "GET", `/messages/${roomId}?limit=200&after=${all.at(-1)?.seq ?? 0}`, undefined, reader.token);
    expect(page.status).toBe(200);
    all.push(...(page.body as Message[]).map((m) => ({ id: m.id, seq: m.seq, clientId: m.clientId })));
    if (page.body.length < 200) return all;
  }
}

function checkLedger(ledger: Ledger, log: Stored[], processes: { exitCode: number | string | null; stderr: string }[]) {
  const n = log.length;
  expect(seqs(log)).toEqual(oneTo(n));
  const byClientId = new Map<string, Stored[]>();
  for (const row of log) byClientId.set(row.clientId ?? "", [...(byClientId.get(row.clientId ?? "") ?? []), row]);
  // Every acknowledged message is stored exactly once, as acknowledged; nothing stored that nobody sent.
  for (const [clientId, message] of ledger.acked) {
    expect(byClientId.get(clientId)?.length ?? 0).toBe(1);
    expect(byClientId.get(clientId)![0]).toEqual({ id: message.id, seq: message.seq, clientId });
  }
  for (const row of log) expect(ledger.sent.has(row.clientId ?? "")).toBe(true);
  expect(ledger.acked.size).toBe(ledger.sent.size);
  expect(n).toBe(ledger.sent.size);
  // Every member, every message, exactly once, in order.
  for (const [, messages] of ledger.members) {
    expect(seqs(messages)).toEqual(oneTo(n));
    expect(messages.map((m) => m.id)).toEqual(log.map((r) => r.id));
  }
  for (const [, messages] of ledger.outsiders) expect(messages).toEqual([]);
  for (const p of processes)
    expect({ exitCode: p.exitCode, stderr: p.stderr.match(/.*(panic|Segmentation|uncaught|unhandled).*/gi) ?? [] }).toEqual({ exitCode: null, stderr: [] });
}

/** Collects `newMessage` into a list the ledger owns, so that it continues across reconnects. */
function record(socket: ChatSocket, into: Message[]): void {
  socket.on("newMessage", (message) => into.push(message));
}

/** Waits until a member client holds `count` messages, then a round trip: anything later (a duplicate) would have arrived. */
async function settle(socket: ChatSocket, messages: Message[], count: number, what: string) {
  await until(() => messages.length >= count, `${what} to hold ${count} messages (has ${messages.length})`, 30_000);
  await within(10_000, `${what}: flush`, flush(socket));
}

// ---- a WebSocket client by hand, on a socket whose reading can be stopped ----------------------

/** Engine.IO + Socket.IO over a raw TCP socket: `pause()` stops reading at the TCP level. */
class RawSocketIo {
  readonly frames: string[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private wake = () => {};

  private constructor(readonly socket: TcpSocket) {}

  static async open(port: number, token: string): Promise<RawSocketIo> {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    await within(5000, "TCP connect", new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject)));
    const raw = new RawSocketIo(socket);
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
    socket.write(
      `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let head = Buffer.alloc(0);
    await within(
      5000,
      "WebSocket upgrade",
      new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf("\r\n\r\n");
          if (end < 0) return;
          socket.off("data", onData);
          const status = head.subarray(0, end).toString();
          if (!status.startsWith("HTTP/1.1 101")) return reject(new Error(`upgrade refused: ${status}`));
          socket.on("data", (more: Buffer) => raw.receive(more));
          socket.on("close", () => raw.hungUp());
          raw.receive(head.subarray(end + 4));
          resolve();
        };
        socket.on("data", onData);
      }),
    );
    await raw.next((f) => f.startsWith("0{"), "Engine.IO open");
    raw.send(`40${JSON.stringify({ token })}`);
    await raw.next((f) => f.startsWith("40{"), "Socket.IO connect");
    return raw;
  }

  /** Sends one masked text frame. */
  send(text: string): void {
    const payload = Buffer.from(text);
    const mask = Buffer.from(crypto.getRandomValues(new Uint8Array(4)));
    const length = payload.length;
    const header =
      length < 126
        ? Buffer.from([0x81, 0x80 | length])
        : length < 65536
          ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 255])
          : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), bigEndian64(length)]);
    const masked = Buffer.alloc(length);
    for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i % 4]!;
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  /** The first frame that passes `test`, waiting for it (bounded). */
  next(test: (frame: string) => boolean, what: string, timeoutMs = 5000): Promise<string> {
    return within(
      timeoutMs,
      what,
      (async () => {
        for (;;) {
          const found = this.frames.find(test);
          if (found !== undefined) return found;
          if (this.closed) throw new Error(`${what}: the connection closed`);
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      })(),
    );
  }

  /** Every complete `newMessage` received so far. */
  messages(): Message[] {
    return this.frames.filter((f) => f.startsWith('42["newMessage",')).map((f) => JSON.parse(f.slice(2))[1] as Message);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) break;
      const opcode = this.buffer[0]! & 0x0f;
      const fin = (this.buffer[0]! & 0x80) !== 0;
      let length = this.buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) break;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) break;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) break;
      const payload = this.buffer.subarray(offset, offset + length);
      this.buffer = this.buffer.subarray(offset + length);
      if (opcode === 8) this.hungUp();
      else if (opcode === 9) this.socket.write(Buffer.concat([Buffer.from([0x8a, 0x80 | payload.length, 0, 0, 0, 0]), payload]));
      else if (opcode === 1 || opcode === 0) {
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const text = Buffer.concat(this.fragments).toString();
          this.fragments = [];
          if (text === "2") this.send("3"); // Engine.IO ping, while we still read
          this.frames.push(text);
        }
      }
    }
    this.wake();
  }

  private hungUp(): void {
    this.closed = true;
    this.wake();
  }

  /** Waits (bounded) until the server has closed the connection, reading all it sent before. */
  async drainUntilClosed(timeoutMs: number): Promise<void> {
    this.socket.resume();
    await within(
      timeoutMs,
      "the server to close the slow consumer",
      (async () => {
        while (!this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
      })(),
    );
  }
}

function bigEndian64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

// ---- shared setup --------------------------------------------------------------------------

const children: ChatLoopFromSource[] = [];
const drops: (() => Promise<void>)[] = [];
const rawSockets: RawSocketIo[] = [];
afterEach(async () => {
  closeSockets();
  for (const raw of rawSockets.splice(0)) raw.socket.destroy();
  await Promise.all(children.splice(0).map((c) => c.terminate()));
  for (const drop of drops.splice(0)) await drop().catch(() => {});
});

/**
 * ChatLoop as a process of its own, on a new database. A test config lifts the rate limits and
 * allows 10,000 sockets a person: a drill sends thousands of messages and opens many sockets per
 * person, and a killed process's marks of them outlive it.
 */
async function freshChild(overrides: Partial<Config> = {}, bunFlags: string[] = []) {
  const { config, drop } = await freshDatabase(testConfig(overrides));
  drops.push(drop);
  const child = new ChatLoopFromSource(config, bunFlags);
  children.push(child);
  await child.start();
  return child;
}

/** A private room of `owner`'s, with `members` invited. */
async function privateRoom(server: Endpoint, owner: Person, name: string, members: Person[]) {
  const room = await createRoom(server, owner, name, true);
  for (const member of members) expect((await api(server, "POST", `/rooms/${room.id}/invites`, { username: member.username }, owner.token)).status).toBe(201);
  return room;
}

/**
 * What a careful client does after a gap: joins from the last seq it holds; if that is too far
 * behind for a replay (409 too_far_behind), pages through REST first, then joins from there.
 */
async function catchUp(server: Endpoint, person: Person, socket: ChatSocket, roomId: string, heard: Message[]) {
  for (;;) {
    const after = heard.at(-1)?.seq ?? 0;
    const answer = await within(10_000, "joinRoom", socket.emitWithAck("joinRoom", { roomId, after }));
    if (!("code" in answer) || answer.code !== "too_far_behind") return expect(answer).toEqual({ roomId, userId: person.id });
    const page = await api(server, "GET", `/messages/${roomId}?after=${after}&limit=200`, undefined, person.token);
    expect(page.status).toBe(200);
    heard.push(...page.body);
  }
}

/** A client of someone outside the room: its join is refused, and it must hear nothing. */
async function outsider(server: Endpoint, person: Person, ledger: Ledger, name: string) {
  const socket = await connect(server, person.token);
  const heard: Message[] = [];
  ledger.outsiders.set(name, heard);
  record(socket, heard);
  expect(await socket.emitWithAck("joinRoom", { roomId: ledger.roomId })).toMatchObject({ code: "room_not_found" });
  return socket;
}

// ---- a: the slow consumer ----------------------------------------------------------------------

/** Characters (ASCII) per message: each flood pushes FLOOD × this through the room. */
const LONG_MESSAGE = 6000;
const MAX_MESSAGE_LENGTH = LONG_MESSAGE + 100;
/** A flood a quarter larger than what the server lets a socket leave unread. */
const FLOOD = Math.ceil((1.25 * slowConsumerLimitBytes(MAX_MESSAGE_LENGTH)) / LONG_MESSAGE);
/** bob's connections that stop reading. */
const STALLED = 3;
/** How far above a normal flood's peak the server's RSS may go while connections stall. */
const RSS_BUDGET = 384 * 2 ** 20;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

describe("a consumer that stops reading", () => {
  test("is cut off by the server, which keeps serving everyone else in order without growing, and the consumer catches up after", async () => {
    // --smol: a heap that collects more eagerly, so that RSS says more about what is held.
    const server = await freshChild({ maxMessageLength: MAX_MESSAGE_LENGTH }, ["--smol"]);
    const [alice, bob, carol, dave] = await Promise.all([signUp(server, "alice"), signUp(server, "bob"), signUp(server, "carol"), signUp(server, "dave")]);
    const room = await privateRoom(server, alice, "firehose", [bob, carol]);
    const ledger = new Ledger(room.id);

    const carolSocket = await connect(server, carol.token);
    const carolHeard: Message[] = [];
    ledger.members.set("carol", carolHeard);
    record(carolSocket, carolHeard);
    const bobWentOffline = new Promise<void>((resolve) => onPresence(carolSocket, (p) => p.userId === bob.id && !p.online && resolve()));
    await carolSocket.emitWithAck("joinRoom", { roomId: room.id, after: 0 });
    await outsider(server, dave, ledger, "dave");

    const slow = await RawSocketIo.open(server.port, bob.token);
    rawSockets.push(slow);
    slow.send(`421["joinRoom",{"roomId":"${room.id}","after":0}]`);
    expect(await slow.next((f) => f.startsWith("431"), "joinRoom ack")).toContain(room.id);

    const filler = "x".repeat(LONG_MESSAGE);
    const senders = await Promise.all(oneTo(4).map(() => connect(server, alice.token)));
    /** Sends messages from..to on four sockets, and returns the server's peak RSS meanwhile. */
    const flood = async (from: number, to: number) => {
      let peak = server.rss();
      const sampler = setInterval(() => server.exitCode === null && (peak = Math.max(peak, server.rss())), 50);
      try {
        await Promise.all(
          senders.map(async (sender, s) => {
            for (let n = from + s; n <= to; n += senders.length) {
              const clientId = `flood-${n}`;
              ledger.sent.add(clientId);
              const answer = await within(10_000, `send ${n}`, sender.emitWithAck("sendMessage", { roomId: room.id, content: `${n} ${filler}`, clientId }));
              expect(answer).toHaveProperty("seq");
              ledger.acked.set(clientId, answer as Message);
            }
          }),
        );
        await settle(carolSocket, carolHeard, to, "carol");
      } finally {
        clearInterval(sampler);
      }
      return peak;
    };

    // First everyone reads: the server's working set for such a flood.
    const baseline = server.rss();
    const warm = await flood(1, FLOOD);
    await until(() => slow.messages().length >= FLOOD, "bob, still reading, to have the first flood", 30_000);
    // More of bob's connections join now, so that what the server holds for slow consumers
    // stands out of the noise of its heap: RSS moves by tens of MiB between two equal floods.
    const stalled = await Promise.all(
      oneTo(STALLED - 1).map(async () => {
        const raw = await RawSocketIo.open(server.port, bob.token);
        rawSockets.push(raw);
        raw.send(`421["joinRoom",{"roomId":"${room.id}","after":${FLOOD}}]`);
        expect(await raw.next((f) => f.startsWith("431"), "joinRoom ack")).toContain(room.id);
        return raw;
      }),
    );
    // Then bob reads nothing more: the kernel's buffers fill, then the server's.
    for (const raw of [slow, ...stalled]) raw.socket.pause();
    const peak = await flood(FLOOD + 1, 2 * FLOOD);
    const flooded = FLOOD * LONG_MESSAGE;
    console.log(
      `slow consumer drill: RSS ${mib(baseline)} MiB, ${mib(warm)} MiB at the peak of a flood all read, ${mib(peak)} MiB at the peak of one ${STALLED} of bob's connections did not read (${mib(flooded)} MiB each)`,
    );
    // The server hangs up on every one of them long before Engine.IO's ping timeout (25 s + 20 s) would.
    await within(15_000, "the server to cut the slow consumers off (bob's presence going offline)", bobWentOffline);
    // A fixed budget over the working set of a flood everyone read, whatever the flood: the
    // heap alone moves RSS by up to ~250 MiB between two equal floods here, so RSS is only a
    // coarse guard; the cut-off above is what tells a bounded server from one that is not.
    // (Bun itself never buffers more than backpressureLimit, 16 MiB by default: past it,
    // ws.send drops the frame and leaves the socket open, so the failure to watch for is a
    // consumer silently missing messages, which the checker below would see.)
    expect(peak - warm).toBeLessThan(RSS_BUDGET);
    for (const raw of stalled) {
      await raw.drainUntilClosed(10_000);
      expect(seqs(raw.messages())).toEqual(oneTo(raw.messages().length).map((n) => FLOOD + n));
    }

    // What bob had fully received before the cut, then a normal client catching up from there.
    await slow.drainUntilClosed(10_000);
    const before = slow.messages();
    expect(seqs(before)).toEqual(oneTo(before.length));
    expect(before.length).toBeLessThan(2 * FLOOD);
    const bobHeard = [...before];
    ledger.members.set("bob", bobHeard);
    const bobSocket = await connect(server, bob.token);
    record(bobSocket, bobHeard);
    let cut = "";
    bobSocket.on("disconnect", (reason) => (cut = `bob's catching-up client was disconnected (${reason}) holding ${bobHeard.length} of ${2 * FLOOD} messages`));
    await catchUp(server, bob, bobSocket, room.id, bobHeard);
    const from = bobHeard.length;
    await until(() => bobHeard.length >= 2 * FLOOD || cut !== "", "bob to catch up", 30_000).catch((error) => {
      throw new Error(`${error.message}: joined after seq ${from}, holds ${bobHeard.length} of ${2 * FLOOD}, connected: ${bobSocket.connected}`);
    });
    expect(cut).toBe("");
    await settle(bobSocket, bobHeard, 2 * FLOOD, "bob");

    checkLedger(ledger, await storedLog(server, server.config, alice, room.id), [server]);
  }, 90_000);
});

describe("a member catching up", () => {
  test("is not taken for a slow consumer when a join replays the most it may: 1,000 messages of the longest content", async () => {
    const server = await startServer();
    try {
      const [alice, bob] = await Promise.all([signUp(server, "alice"), signUp(server, "bob")]);
      const room = await privateRoom(server, alice, "long reads", [bob]);
      const ledger = new Ledger(room.id);
      // 4,000 characters (the default limit) that are 4 bytes each in UTF-8: 16 KB a message.
      const longest = "😀".repeat(server.config.maxMessageLength);
      const sender = await connect(server, alice.token);
      for (const n of oneTo(REPLAY_LIMIT + 1)) {
        const clientId = `long-${n}`;
        ledger.sent.add(clientId);
        const answer = await within(10_000, `send ${n}`, sender.emitWithAck("sendMessage", { roomId: room.id, content: longest, clientId }));
        expect(answer).toHaveProperty("seq");
        ledger.acked.set(clientId, answer as Message);
      }
      // bob read the first message elsewhere; he joins from there, exactly REPLAY_LIMIT behind.
      const first = (await api(server, "GET", `/messages/${room.id}?limit=1&after=0`, undefined, bob.token)).body as Message[];
      const bobHeard = [...first];
      ledger.members.set("bob", bobHeard);
      const socket = await connect(server, bob.token);
      record(socket, bobHeard);
      let cut = "";
      socket.on("disconnect", (reason) => (cut = `disconnected (${reason}) holding ${bobHeard.length} of ${REPLAY_LIMIT + 1}`));
      // The acknowledgement comes after the replay; a cut-off client never gets it.
      const joined = socket.emitWithAck("joinRoom", { roomId: room.id, after: 1 }).catch((error: Error) => error.message);
      await until(() => bobHeard.length >= REPLAY_LIMIT + 1 || cut !== "", "bob's replay", 30_000);
      expect(cut).toBe("");
      expect(await joined).toEqual({ roomId: room.id, userId: bob.id });
      await settle(socket, bobHeard, REPLAY_LIMIT + 1, "bob");
      checkLedger(ledger, await storedLog(server, server.config, alice, room.id), []);
    } finally {
      await stopServer(server);
    }
  }, 60_000);
});

// ---- b: the reconnect storm --------------------------------------------------------------------

const STORM_MEMBERS = 20;
const SOCKETS_PER_MEMBER = 10; // 200 clients

/** An answer that retrying cannot change. */
class Refused extends Error {}

/** Sends `count` messages, paced, each retried with its clientId until acknowledged, following the server wherever it is. */
function pacedSender(ledger: Ledger, person: Person, current: () => Endpoint, prefix: string, count: number, paceMs: number) {
  let socket: ChatSocket | undefined;
  return (async () => {
    for (const n of oneTo(count)) {
      const clientId = `${prefix}-${n}`;
      ledger.sent.add(clientId);
      for (let attempt = 1; ; attempt++) {
        try {
          if (!socket?.connected) socket = await connect(current(), person.token);
          const answer = await socket.timeout(5000).emitWithAck("sendMessage", { roomId: ledger.roomId, content: `${prefix} ${n}`, clientId });
          if ("seq" in answer) {
            ledger.acked.set(clientId, answer as Message);
            break;
          }
          if ((answer as { code: string }).code !== "unavailable") throw new Refused(`send ${clientId}: ${JSON.stringify(answer)}`);
        } catch (error) {
          if (attempt >= 100 || error instanceof Refused) throw error;
          socket?.close();
          socket = undefined;
        }
        await Bun.sleep(100); // pacing a retry: the server is away for a moment
      }
      await Bun.sleep(paceMs); // pacing the traffic
    }
    socket?.close();
  })();
}

describe("a reconnect storm", () => {
  test("200 clients cut off at once by a killed process all reconnect to its successor and end with every message exactly once", async () => {
    let server = await freshChild();
    const owner = await signUp(server, "owner");
    const people = await Promise.all(oneTo(STORM_MEMBERS).map((i) => signUp(server, `member${i}`)));
    const stranger = await signUp(server, "stranger");
    const room = await privateRoom(server, owner, "stormy", people);
    const ledger = new Ledger(room.id);

    const clients = people.flatMap((person) => oneTo(SOCKETS_PER_MEMBER).map((k) => ({ person, name: `${person.username}#${k}`, heard: [] as Message[] })));
    const first = await Promise.all(
      clients.map(async (client) => {
        const socket = await connect(server, client.person.token);
        ledger.members.set(client.name, client.heard);
        record(socket, client.heard);
        await socket.emitWithAck("joinRoom", { roomId: room.id, after: 0 });
        return socket;
      }),
    );
    await outsider(server, stranger, ledger, "stranger");

    const sending = pacedSender(ledger, owner, () => server, "storm", 120, 10);
    await until(() => ledger.acked.size >= 40, "40 messages before the kill", 20_000);
    const cutOff = first.map((socket) => new Promise((resolve) => socket.once("disconnect", resolve)));
    const dead = server;
    await dead.kill();
    await within(10_000, "every client to notice", Promise.all(cutOff));
    expect(dead.exitCode).not.toBeNull();
    children.splice(children.indexOf(dead), 1);
    const successor = new ChatLoopFromSource(dead.config);
    children.push(successor);
    await successor.start();
    server = successor;

    // All at once, each from the last seq it holds, while the sender goes on.
    const outsiderAgain = outsider(server, stranger, ledger, "stranger again");
    const second = await within(
      30_000,
      "200 clients to reconnect",
      Promise.all(
        clients.map(async (client) => {
          const socket = await connect(server, client.person.token);
          record(socket, client.heard);
          const joined = await socket.emitWithAck("joinRoom", { roomId: room.id, after: client.heard.at(-1)?.seq ?? 0 });
          expect(joined).toEqual({ roomId: room.id, userId: client.person.id });
          return socket;
        }),
      ),
    );
    await outsiderAgain;
    await within(60_000, "the sender to finish", sending);

    const log = await storedLog(server, server.config, owner, room.id);
    await Promise.all(clients.map((client, i) => settle(second[i]!, client.heard, log.length, client.name)));
    checkLedger(ledger, log, [server]);
  }, 120_000);
});

// ---- c: Redis frozen ---------------------------------------------------------------------------

/** How long Redis stays frozen (SIGSTOP): longer than any ack may take, shorter than a drill. */
const FREEZE_MS = 4000;
/** The slowest an acknowledgement may be while Redis is frozen. */
const ACK_WITHIN_MS = 2000;

describe.skipIf(!databaseUrl || !redisUrl)("Redis frozen mid-traffic", () => {
  test("sends keep being acknowledged on both instances, and once Redis thaws every member has every message exactly once", async () => {
    const redis = new OwnRedis();
    drops.push(() => redis.stop());
    await redis.start();
    const { config, drop } = await freshDatabase(testConfig({ redisUrl: redis.url }));
    drops.push(drop);
    const a = new ChatLoopFromSource(config);
    children.push(a);
    await a.start(); // migrates before the other starts
    const b = new ChatLoopFromSource(config);
    children.push(b);
    await b.start();

    const [alice, bob, carol, dave, eve] = await Promise.all([signUp(a, "alice"), signUp(b, "bob"), signUp(a, "carol"), signUp(b, "dave"), signUp(a, "eve")]);
    const room = await privateRoom(a, alice, "through the freeze", [bob, carol, dave]);
    const ledger = new Ledger(room.id);
    const listeners = await Promise.all(
      [
        [a, carol, "carol on a"],
        [b, dave, "dave on b"],
        [b, carol, "carol on b"],
        [a, dave, "dave on a"],
      ].map(async ([server, person, name]) => {
        const socket = await connect(server as Endpoint, (person as Person).token);
        const heard: Message[] = [];
        ledger.members.set(name as string, heard);
        record(socket, heard);
        await socket.emitWithAck("joinRoom", { roomId: room.id, after: 0 });
        return { socket, heard };
      }),
    );
    await outsider(a, eve, ledger, "eve on a");
    await outsider(b, eve, ledger, "eve on b");

    /** Each acknowledgement with the time it took, to tell the frozen window's from the rest. */
    const timings: { phase: string; ms: number }[] = [];
    let phase = "before";
    const send = async (socket: ChatSocket, clientId: string) => {
      ledger.sent.add(clientId);
      const started = Date.now();
      const answer = await within(20_000, `send ${clientId}`, socket.emitWithAck("sendMessage", { roomId: room.id, content: clientId, clientId }));
      timings.push({ phase, ms: Date.now() - started });
      expect(answer).toHaveProperty("seq");
      ledger.acked.set(clientId, answer as Message);
    };
    const [aliceOnA, bobOnB] = [await connect(a, alice.token), await connect(b, bob.token)];
    const burst = async (label: string, count: number) => {
      for (const n of oneTo(count)) {
        await Promise.all([send(aliceOnA, `${label}-a-${n}`), send(bobOnB, `${label}-b-${n}`)]);
        await Bun.sleep(20); // pacing the traffic
      }
    };

    await burst("before", 10);
    // Frozen for a fixed window, whatever the sends do meanwhile: the fault's length, not a wait.
    redis.freeze();
    phase = "frozen";
    let thawed = false;
    const thaw = Bun.sleep(FREEZE_MS).then(() => {
      redis.thaw();
      thawed = true;
    });
    for (let n = 1; !thawed; n++) {
      await Promise.all([send(aliceOnA, `frozen-a-${n}`), send(bobOnB, `frozen-b-${n}`)]);
      await Bun.sleep(20); // pacing the traffic
    }
    await thaw;
    phase = "after";
    await burst("after", 10);

    const log = await storedLog(a, config, alice, room.id);
    for (const { socket, heard } of listeners) await settle(socket, heard, log.length, "a listener");
    checkLedger(ledger, log, [a, b]);

    // PostgreSQL is the log: a frozen Redis must not hold up an acknowledgement.
    const frozen = timings.filter((t) => t.phase === "frozen");
    console.log(`redis freeze drill: ${frozen.length} acks while Redis was frozen for ${FREEZE_MS} ms, the slowest in ${Math.max(...frozen.map((t) => t.ms))} ms`);
    expect(Math.max(...frozen.map((t) => t.ms))).toBeLessThan(ACK_WITHIN_MS);
    expect(frozen.length).toBeGreaterThanOrEqual(10);
  }, 90_000);
});
