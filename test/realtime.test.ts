// The Socket.IO contract, seen by real clients: what a SECOND client receives matters most.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { io as connectSocket } from "socket.io-client";
import type { Message } from "../src/messages/schemas";
import { storeMessages } from "../src/messages/store";
import {
  api,
  type ChatSocket,
  closeSockets,
  connect,
  createRoom,
  flush,
  inbox,
  next,
  nextPresenceOf,
  onPresence,
  type Person,
  people,
  startServer,
  stopServer,
  type TestServer,
} from "./harness";

let server: TestServer;
let alice: Person, bob: Person, mallory: Person;

beforeAll(async () => {
  server = await startServer();
  [alice, bob, mallory] = await people(server, "alice", "bob", "mallory");
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

describe("the handshake", () => {
  test("a connection without a token is refused with a reason", async () => {
    const refused = connect(server, "");
    await expect(refused).rejects.toThrow(/sign in first/);
  });

  test("a forged token is refused", async () => {
    const forged = alice.token.slice(0, -4) + "AAAA";
    await expect(connect(server, forged)).rejects.toThrow(/invalid or has expired/);
  });

  test("long-polling clients connect as well as WebSocket ones", async () => {
    const socket = await connect(server, alice.token, ["polling"]);
    expect(socket.connected).toBe(true);
  });
});

describe("joining and leaving", () => {
  test("joinRoom answers roomJoined with the token's user, and the acknowledgement says the same", async () => {
    const room = await createRoom(server, alice, "watercooler");
    const socket = await connect(server, bob.token);
    const joined = next(socket, "roomJoined");
    const ack = await socket.emitWithAck("joinRoom", { roomId: room.id, userId: bob.id });
    expect(ack).toEqual({ roomId: room.id, userId: bob.id });
    expect(await joined).toEqual({ roomId: room.id, userId: bob.id });
  });

  test("a userId that is not the token's user is refused and changes nothing", async () => {
    const room = await createRoom(server, alice, "impersonation");
    const socket = await connect(server, mallory.token);
    const error = next(socket, "error");
    const ack = await socket.emitWithAck("joinRoom", { roomId: room.id, userId: bob.id });
    expect(ack).toEqual({ code: "not_yourself", message: expect.any(String) });
    expect((await error).code).toBe("not_yourself");
    const members = await api(server, "GET", `/rooms/${room.id}/members`, undefined, alice.token);
    expect(members.body.map((m: { username: string }) => m.username)).toEqual(["alice"]);
  });

  test("leaveRoom answers roomLeft, and the socket hears no more of the room", async () => {
    const room = await createRoom(server, alice, "leaving");
    const [aliceSocket, bobSocket] = [await connect(server, alice.token), await connect(server, bob.token)];
    await aliceSocket.emitWithAck("joinRoom", { roomId: room.id });
    await bobSocket.emitWithAck("joinRoom", { roomId: room.id });
    const left = next(bobSocket, "roomLeft");
    expect(await bobSocket.emitWithAck("leaveRoom", { roomId: room.id })).toEqual({ roomId: room.id, userId: bob.id });
    expect(await left).toEqual({ roomId: room.id, userId: bob.id });

    const bobHears = inbox(bobSocket);
    const aliceHears = inbox(aliceSocket);
    await aliceSocket.emitWithAck("sendMessage", { roomId: room.id, content: "anyone?" });
    await aliceHears.until(1);
    await flush(bobSocket);
    expect(bobHears.messages).toEqual([]);
  });

  test("a private room cannot be joined by an outsider, and looks like no room at all", async () => {
    const room = await createRoom(server, alice, "secret plans", true);
    const socket = await connect(server, mallory.token);
    const missing = await socket.emitWithAck("joinRoom", { roomId: room.id });
    const nowhere = await socket.emitWithAck("joinRoom", { roomId: crypto.randomUUID() });
    expect(missing).toEqual(nowhere);
    expect(missing).toMatchObject({ code: "room_not_found" });
  });
});

describe("messages", () => {
  test("two people in a room see each other's messages, in the same order, their own included", async () => {
    const room = await createRoom(server, alice, "chatter");
    const aliceSocket = await connect(server, alice.token);
    const bobSocket = await connect(server, bob.token);
    await aliceSocket.emitWithAck("joinRoom", { roomId: room.id });
    await bobSocket.emitWithAck("joinRoom", { roomId: room.id });
    const [aliceHears, bobHears] = [inbox(aliceSocket), inbox(bobSocket)];

    const sends = [];
    for (let i = 0; i < 10; i++) {
      sends.push(aliceSocket.emitWithAck("sendMessage", { roomId: room.id, content: `alice ${i}` }));
      sends.push(bobSocket.emitWithAck("sendMessage", { roomId: room.id, content: `bob ${i}`, senderId: bob.id }));
    }
    const acks = await Promise.all(sends);
    await Promise.all([aliceHears.until(20), bobHears.until(20)]);

    expect(aliceHears.messages).toEqual(bobHears.messages);
    expect(aliceHears.messages.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(acks.map((a) => (a as { id: string }).id))).toEqual(new Set(aliceHears.messages.map((m) => m.id)));
    expect(aliceHears.messages[0]).toEqual({
      id: expect.any(String),
      roomId: room.id,
      seq: 1,
      rev: 1,
      senderId: expect.any(String),
      username: expect.stringMatching(/^(alice|bob)$/),
      content: expect.stringMatching(/^(alice|bob) \d$/),
      clientId: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      editedAt: null,
      deletedAt: null,
      replyTo: null,
      reactions: [],
      mentions: [],
      previews: [],
      attachments: [],
    });
  });

  test("a message sent over REST is broadcast like one sent on the socket", async () => {
    const room = await createRoom(server, alice, "rest and socket");
    const socket = await connect(server, alice.token);
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    const heard = next(socket, "newMessage");
    const sent = await api(server, "POST", "/messages", { roomId: room.id, content: "via REST", senderId: alice.id }, alice.token);
    expect(sent.status).toBe(201);
    expect(await heard).toEqual(sent.body);
  });

  test("a retried clientId returns the stored message and creates no duplicate", async () => {
    const room = await createRoom(server, alice, "retries");
    const socket = await connect(server, alice.token);
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    const hears = inbox(socket);
    const first = await socket.emitWithAck("sendMessage", { roomId: room.id, content: "once", clientId: "retry-1" });
    const again = await Promise.all([1, 2, 3].map(() => socket.emitWithAck("sendMessage", { roomId: room.id, content: "once", clientId: "retry-1" })));
    const overRest = await api(server, "POST", "/messages", { roomId: room.id, content: "once", clientId: "retry-1" }, alice.token);
    expect(again).toEqual([first, first, first]);
    expect(overRest).toMatchObject({ status: 200, body: first });
    const history = await api(server, "GET", `/messages/${room.id}`, undefined, alice.token);
    expect(history.body).toEqual([first]);
    await hears.until(1);
    expect(hears.messages).toEqual([first as never]);
  });

  test("a retry whose first send was stored unheard (its answer lost to a database timeout) delivers the message to the room", async () => {
    const room = await createRoom(server, alice, "lost answers");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const listener = await connect(server, bob.token);
    await listener.emitWithAck("joinRoom", { roomId: room.id });
    const hears = inbox(listener);
    // What a send leaves behind when its statement commits but its answer never comes back.
    await server.sql`
      with room as (update rooms set last_seq = last_seq + 1, last_rev = last_rev + 1 where id = ${room.id} returning id, last_seq, last_rev)
      insert into messages (room_id, seq, rev, sender_id, client_id, content) select id, last_seq, last_rev, ${alice.id}, 'lost-answer', 'stored unheard' from room`;

    const sender = await connect(server, alice.token);
    const retried = await sender.emitWithAck("sendMessage", { roomId: room.id, content: "stored unheard", clientId: "lost-answer" });
    expect(retried).toMatchObject({ seq: 1, clientId: "lost-answer" });
    expect(await hears.until(1)).toEqual([retried as never]);
  });

  test("concurrent sends from 20 clients are numbered 1..N without a gap", async () => {
    const room = await createRoom(server, alice, "crowd");
    const crowd = await people(server, ...Array.from({ length: 20 }, (_, i) => `crowd${i}`));
    const sockets = await Promise.all(crowd.map((p) => connect(server, p.token)));
    await Promise.all(sockets.map((s) => s.emitWithAck("joinRoom", { roomId: room.id })));
    const listener = inbox(sockets[0]!);
    await Promise.all(sockets.flatMap((s, i) => [1, 2, 3, 4, 5].map((n) => s.emitWithAck("sendMessage", { roomId: room.id, content: `${i}.${n}` }))));
    const heard = await listener.until(100);
    expect(heard.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const [counts] = await server.sql`select count(*)::int as n, max(seq)::int as top, count(distinct seq)::int as distinct from messages where room_id = ${room.id}`;
    expect(counts).toEqual({ n: 100, top: 100, distinct: 100 });
  });

  test("an outsider can neither post to nor hear a private room", async () => {
    const room = await createRoom(server, alice, "members only", true);
    const aliceSocket = await connect(server, alice.token);
    await aliceSocket.emitWithAck("joinRoom", { roomId: room.id });
    const mallorySocket = await connect(server, mallory.token);
    const malloryHears = inbox(mallorySocket);
    const refused = await (await connect(server, mallory.token)).emitWithAck("sendMessage", { roomId: room.id, content: "let me in" });
    expect(refused).toMatchObject({ code: "room_not_found" });
    const aliceHears = inbox(aliceSocket);
    await aliceSocket.emitWithAck("sendMessage", { roomId: room.id, content: "psst" });
    await aliceHears.until(1);
    await flush(mallorySocket);
    expect(malloryHears.messages).toEqual([]);
    expect(aliceHears.messages.map((m) => m.content)).toEqual(["psst"]);
  });

  test("a member who is not in a public room is told to join first", async () => {
    const room = await createRoom(server, alice, "open door");
    const socket = await connect(server, mallory.token);
    expect(await socket.emitWithAck("sendMessage", { roomId: room.id, content: "hi" })).toMatchObject({ code: "not_a_member" });
  });
});

describe("catching up", () => {
  test("a client that was away while 100 messages were sent gets exactly those 100, in order, then live ones", async () => {
    const room = await createRoom(server, alice, "catch-up");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const aliceSocket = await connect(server, alice.token);
    await aliceSocket.emitWithAck("joinRoom", { roomId: room.id });
    const first = (await aliceSocket.emitWithAck("sendMessage", { roomId: room.id, content: "before" })) as { seq: number };

    const bobSocket = await connect(server, bob.token);
    await bobSocket.emitWithAck("joinRoom", { roomId: room.id, after: first.seq });
    bobSocket.disconnect();
    for (let i = 0; i < 100; i++) await aliceSocket.emitWithAck("sendMessage", { roomId: room.id, content: `while away ${i}` });

    const back = await connect(server, bob.token);
    const hears = inbox(back);
    const joining = back.emitWithAck("joinRoom", { roomId: room.id, after: first.seq });
    // Live traffic races the replay: it must come after it, with nothing lost or doubled.
    const live = Promise.all([0, 1, 2, 3, 4].map((i) => aliceSocket.emitWithAck("sendMessage", { roomId: room.id, content: `live ${i}` })));
    await joining;
    await live;
    const heard = await hears.until(105);
    expect(heard.map((m) => m.seq)).toEqual(Array.from({ length: 105 }, (_, i) => first.seq + 1 + i));
    expect(heard.slice(0, 100).map((m) => m.content)).toEqual(Array.from({ length: 100 }, (_, i) => `while away ${i}`));
  });

  test("a join's acknowledgement comes after its replay and its roomJoined, and a send's answer need not wait for the room's fan-out", async () => {
    const room = await createRoom(server, alice, "answers in order");
    const aliceSocket = await connect(server, alice.token);
    await aliceSocket.emitWithAck("joinRoom", { roomId: room.id });
    for (let i = 0; i < 20; i++) await aliceSocket.emitWithAck("sendMessage", { roomId: room.id, content: `missed ${i}` });
    const back = await connect(server, alice.token);
    const frames: string[] = [];
    back.on("newMessage", (m) => frames.push(`newMessage ${m.seq}`));
    back.on("roomJoined", () => frames.push("roomJoined"));
    await back.emitWithAck("joinRoom", { roomId: room.id, after: 0 });
    frames.push("ack");
    expect(frames).toEqual([...Array.from({ length: 20 }, (_, i) => `newMessage ${i + 1}`), "roomJoined", "ack"]);

    // The sender's answer and its own copy of the message both come, once each, whichever first.
    const own = inbox(back);
    const answer = (await back.emitWithAck("sendMessage", { roomId: room.id, content: "mine" })) as Message;
    expect((await own.until(1))[0]).toEqual(answer);
    await flush(back);
    expect(own.messages).toHaveLength(1);
  });

  test("a message committed while its sender heard `unavailable` (its answer deadline passed) still reaches the room, within a few seconds, on a lone instance too", async () => {
    const room = await createRoom(server, alice, "answer lost");
    const socket = await connect(server, alice.token);
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    const heard = inbox(socket);
    // Stored as the group commit stores it, but nobody told: what a statement that commits after its deadline leaves.
    const [stored] = await storeMessages(server.sql, [{ roomId: room.id, senderId: alice.id, username: alice.username, content: "late", clientId: null, replyToId: null }]);
    expect(stored!.outcome).toBe("stored");
    const [message] = await heard.until(1);
    expect(message).toEqual(stored!.outcome === "stored" ? stored!.message : undefined);
  });

  test("a client too far behind is told to page through history instead", async () => {
    const room = await createRoom(server, alice, "long log");
    await server.sql`
      with room as (update rooms set last_seq = 1001, last_rev = 1001 where id = ${room.id} returning id, owner_id)
      insert into messages (room_id, seq, rev, sender_id, content)
      select room.id, n, n, room.owner_id, 'old ' || n from room, generate_series(1, 1001) n`;
    const socket = await connect(server, alice.token);
    expect(await socket.emitWithAck("joinRoom", { roomId: room.id, after: 0 })).toMatchObject({ code: "too_far_behind" });
    expect(await socket.emitWithAck("joinRoom", { roomId: room.id, after: 1 })).toEqual({ roomId: room.id, userId: alice.id });
  });
});

describe("presence", () => {
  test("the members list says who has a socket in the room right now", async () => {
    const room = await createRoom(server, alice, "who is here");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const socket = await connect(server, alice.token);
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    const members = await api(server, "GET", `/rooms/${room.id}/members`, undefined, bob.token);
    expect(members.body.map((m: { username: string; online: boolean }) => [m.username, m.online])).toEqual([
      ["alice", true],
      ["bob", false],
    ]);
  });

  test("the room hears a member come online with their first socket and go offline with their last", async () => {
    const room = await createRoom(server, alice, "comings and goings");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const watcher = await connect(server, bob.token);
    await watcher.emitWithAck("joinRoom", { roomId: room.id });
    const seen: { userId: string; online: boolean }[] = [];
    onPresence(watcher, ({ userId, online }) => userId === alice.id && seen.push({ userId, online }));

    const [first, second] = [await connect(server, alice.token), await connect(server, alice.token)];
    const online = nextPresenceOf(watcher, alice);
    await first.emitWithAck("joinRoom", { roomId: room.id });
    expect(await online).toEqual({ roomId: room.id, userId: alice.id, online: true });
    await second.emitWithAck("joinRoom", { roomId: room.id });

    first.close(); // alice still has a socket in the room: nobody is told she left
    const offline = nextPresenceOf(watcher, alice);
    second.close();
    expect(await offline).toEqual({ roomId: room.id, userId: alice.id, online: false });
    await flush(watcher);
    expect(seen).toEqual([
      { userId: alice.id, online: true },
      { userId: alice.id, online: false },
    ]);
  });

  test("a member's JSON and browser sockets count together, and a socket outside the room not at all", async () => {
    const room = await createRoom(server, alice, "two formats");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const watcher = await connect(server, bob.token);
    await watcher.emitWithAck("joinRoom", { roomId: room.id });
    const seen: boolean[] = [];
    onPresence(watcher, ({ userId, online }) => userId === alice.id && seen.push(online));

    const browser: ChatSocket = connectSocket(server.base, { auth: { token: alice.token, format: "html" }, transports: ["websocket"], reconnection: false, forceNew: true });
    const [json, elsewhere] = [await connect(server, alice.token), await connect(server, alice.token)];
    const online = nextPresenceOf(watcher, alice);
    await json.emitWithAck("joinRoom", { roomId: room.id });
    expect(await online).toEqual({ roomId: room.id, userId: alice.id, online: true });
    await browser.emitWithAck("joinRoom", { roomId: room.id });

    const open = server.io.of("/").sockets.size;
    json.close();
    while (server.io.of("/").sockets.size >= open) await Bun.sleep(5);
    await Bun.sleep(400); // longer than presence changes are gathered for (250 ms)
    await flush(watcher);
    expect(seen).toEqual([true]); // her browser socket is still in the room

    const offline = nextPresenceOf(watcher, alice);
    browser.close(); // her last socket in the room: the one elsewhere does not keep her here
    expect(await offline).toEqual({ roomId: room.id, userId: alice.id, online: false });
    await flush(watcher);
    expect(seen).toEqual([true, false]);
    expect(elsewhere.connected).toBe(true);
  });

  test("a socket's own connection is no room: presence speaks only of chat rooms", async () => {
    const room = await createRoom(server, alice, "only real rooms");
    const socket = await connect(server, alice.token);
    const rooms: string[] = [];
    socket.on("presence", ({ roomId }) => rooms.push(roomId));
    const online = nextPresenceOf(socket, alice);
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    // A presence for the socket's own id would be timed from the connect, so it would come first.
    expect(await online).toEqual({ roomId: room.id, userId: alice.id, online: true });
    expect(rooms).toEqual([room.id]);
  });
});
