// Fan-out: WebSocket clients are reached through Bun's native topics, long-polling ones
// through Socket.IO's own path, and a socket that upgrades moves from one to the other.
// Whatever the mix, everyone hears every message once, in seq order.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { io as connectSocket } from "socket.io-client";
import type { Message } from "../src/messages/schemas";
import { api, type ChatSocket, closeSockets, connect, createRoom, flush, inbox, type Person, people, scrape, startServer, stopServer, type TestServer } from "./harness";
import { closeRawSockets } from "./raw-engine-socket";

let server: TestServer;
let alice: Person, bob: Person, carol: Person;

beforeAll(async () => {
  server = await startServer();
  [alice, bob, carol] = await people(server, "alice", "bob", "carol");
});
afterEach(() => {
  closeSockets();
  closeRawSockets();
});
afterAll(() => stopServer(server));

/** newMessage deliveries so far, by the path they took. */
async function deliveries(): Promise<{ websocket: number; polling: number }> {
  const samples = await scrape(server);
  const count = (path: string) => samples.get(`chatloop_messages_delivered_total{path="${path}"}`) ?? 0;
  return { websocket: count("websocket"), polling: count("polling") };
}

/** An official client with the browser's defaults: long-polling first, then an upgrade to WebSocket. */
async function upgradedClient(token: string, format?: "html"): Promise<ChatSocket> {
  const socket: ChatSocket = connectSocket(server.base, { auth: { token, ...(format ? { format } : {}) }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  const engine = socket.io.engine;
  if (engine.transport.name !== "websocket") await new Promise((resolve) => engine.once("upgrade", resolve));
  return socket;
}

const seqs = (messages: Message[]) => messages.map((message) => message.seq);

describe("a room of WebSocket, long-polling and upgraded clients", () => {
  test("everyone hears every message once, in seq order, JSON and HTML alike", async () => {
    const room = await createRoom(server, alice, "mixed");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, carol.token);
    const clients = [
      await connect(server, alice.token, ["websocket"]),
      await connect(server, bob.token, ["polling"]),
      await upgradedClient(carol.token),
      await upgradedClient(bob.token, "html"),
    ];
    const inboxes = clients.map(inbox);
    for (const client of clients) await client.emitWithAck("joinRoom", { roomId: room.id });

    const senders = clients.slice(0, 3);
    await Promise.all(senders.map((sender, s) => Promise.all(Array.from({ length: 10 }, (_, n) => sender.emitWithAck("sendMessage", { roomId: room.id, content: `${s}/${n}` })))));
    const expected = Array.from({ length: 30 }, (_, i) => i + 1);
    for (const box of inboxes) expect(seqs(await box.until(30))).toEqual(expected);
    for (const client of clients) await flush(client);
    for (const box of inboxes) expect(box.messages).toHaveLength(30);
    for (const message of inboxes[3]!.messages as (Message & { html?: string })[]) expect(message.html).toContain(`<p>${message.content}</p>`);
  });

  test("a long-polling socket is reached through Socket.IO, a WebSocket one through the topic", async () => {
    const room = await createRoom(server, alice, "two paths");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const [websocket, polling] = [await connect(server, alice.token, ["websocket"]), await connect(server, bob.token, ["polling"])];
    for (const client of [websocket, polling]) await client.emitWithAck("joinRoom", { roomId: room.id });
    const before = await deliveries();
    const heard = inbox(polling);
    await api(server, "POST", "/messages", { roomId: room.id, content: "one of each" }, alice.token);
    await heard.until(1);
    expect(await deliveries()).toEqual({ websocket: before.websocket + 1, polling: before.polling + 1 });
  });

  test("a socket that joined while long-polling moves to the topic when it upgrades, and misses nothing", async () => {
    const room = await createRoom(server, alice, "upgrade midway");
    const socket: ChatSocket = connectSocket(server.base, {
      auth: { token: alice.token },
      reconnection: false,
      forceNew: true,
      transports: ["polling", "websocket"],
      upgrade: false,
    });
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    const heard = inbox(socket);
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    await api(server, "POST", "/messages", { roomId: room.id, content: "while polling" }, alice.token);
    await heard.until(1);

    // The client's own upgrade, started late: probe, then switch (engine.io-client's internal probe).
    const engine = socket.io.engine as unknown as { _probe(name: string): void; once(event: string, listener: () => void): void; transport: { name: string } };
    const upgraded = new Promise<void>((resolve) => engine.once("upgrade", resolve));
    engine._probe("websocket");
    await upgraded;
    expect(engine.transport.name).toBe("websocket");

    const before = await deliveries();
    await api(server, "POST", "/messages", { roomId: room.id, content: "after the upgrade" }, alice.token);
    expect(seqs(await heard.until(2))).toEqual([1, 2]);
    expect(await deliveries()).toEqual({ websocket: before.websocket + 1, polling: before.polling });
  });

  test("leaving stops delivery on both paths", async () => {
    const room = await createRoom(server, alice, "leaving");
    const [websocket, polling] = [await connect(server, bob.token, ["websocket"]), await connect(server, carol.token, ["polling"])];
    const boxes = [inbox(websocket), inbox(polling)];
    for (const client of [websocket, polling]) await client.emitWithAck("joinRoom", { roomId: room.id });
    await api(server, "POST", "/messages", { roomId: room.id, content: "before" }, alice.token);
    for (const box of boxes) await box.until(1);
    for (const client of [websocket, polling]) expect(await client.emitWithAck("leaveRoom", { roomId: room.id })).toHaveProperty("roomId", room.id);

    await api(server, "POST", "/messages", { roomId: room.id, content: "after" }, alice.token);
    for (const client of [websocket, polling]) await flush(client);
    for (const box of boxes) expect(seqs(box.messages)).toEqual([1]);
  });
});

describe("a person's own events (roomActivity)", () => {
  test("reach each of their sockets once, WebSocket, long-polling and upgraded alike, without joining the room", async () => {
    const room = await createRoom(server, alice, "news for bob");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const sockets = [await connect(server, bob.token, ["websocket"]), await connect(server, bob.token, ["polling"]), await upgradedClient(bob.token)];
    // Only this room's news: earlier tests' rooms may still be told.
    const heard = sockets.map((socket) => {
      const events: unknown[] = [];
      socket.on("roomActivity", (activity) => activity.roomId === room.id && events.push(activity));
      return events;
    });
    const first = sockets.map((socket) => new Promise((resolve) => socket.on("roomActivity", (activity) => activity.roomId === room.id && resolve(activity))));
    await api(server, "POST", "/messages", { roomId: room.id, content: "news" }, alice.token);
    const told = { roomId: room.id, lastSeq: 1, unreadCount: 1, mentionCount: 0 };
    expect(await Promise.all(first)).toEqual([told, told, told]);
    for (const socket of sockets) await flush(socket);
    for (const events of heard) expect(events).toEqual([told]);
  });
});
