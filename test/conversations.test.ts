// Conversations: read markers and unread counts, direct rooms, people search, notification
// levels, and what reaches a person's every socket (roomActivity, roomRead, notification),
// joined to the room or not, on every instance. Seen by real clients over HTTP and Socket.IO.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { Message } from "../src/messages/schemas";
import type { ServerToClientEvents } from "../src/realtime/events";
import {
  api,
  type ChatSocket,
  closeSockets,
  connect,
  createRoom,
  databaseUrl,
  type Endpoint,
  error,
  invite,
  type Person,
  people,
  redisUrl,
  reply,
  signUp,
  startPeer,
  startServer,
  stopServer,
  type TestServer,
} from "./harness";

let server: TestServer;
let alice: Person, bob: Person, carol: Person;

beforeAll(async () => {
  server = await startServer();
  [alice, bob, carol] = await people(server, "alice", "bob", "carol");
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

type Room = Awaited<ReturnType<typeof createRoom>>;

async function post(person: Person, room: { id: string }, content: string, on: Endpoint = server): Promise<Message> {
  const sent = await api(on, "POST", "/messages", { roomId: room.id, content }, person.token);
  if (sent.status !== 201) throw new Error(`post: ${JSON.stringify(sent.body)}`);
  return sent.body;
}

/** A room of alice's with bob in it (invited when private, joined when public). */
async function roomWithBob(isPrivate: boolean): Promise<Room> {
  const room = await createRoom(server, alice, `room-${crypto.randomUUID().slice(0, 8)}`, isPrivate);
  if (isPrivate) await invite(server, room, alice, bob);
  else await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
  return room;
}

const listed = async (person: Person, roomId: string) => (await api(server, "GET", "/rooms", undefined, person.token)).body.find((r: { id: string }) => r.id === roomId);
const read = (person: Person, roomId: string, seq: number, on: Endpoint = server) => api(on, "POST", `/rooms/${roomId}/read`, { seq }, person.token);

/** Everything a socket hears of one event, and a way to wait for the first that passes a test. */
function hear<E extends keyof ServerToClientEvents>(socket: ChatSocket, event: E) {
  type Payload = Parameters<ServerToClientEvents[E]>[0];
  const heard: Payload[] = [];
  const waiters: { test: (p: Payload) => boolean; resolve: (p: Payload) => void }[] = [];
  socket.on(event, ((payload: Payload) => {
    heard.push(payload);
    for (const w of waiters.filter((w) => w.test(payload))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(payload);
    }
  }) as never);
  return {
    heard,
    until: (test: (p: Payload) => boolean) =>
      new Promise<Payload>((resolve) => {
        const found = heard.find(test);
        if (found) resolve(found);
        else waiters.push({ test, resolve });
      }),
  };
}

describe("unread counts", () => {
  test("count messages from others after the read marker, not one's own, not deleted ones; mentions apart", async () => {
    const room = await roomWithBob(false);
    await post(bob, room, "my own, @bob to myself");
    await post(alice, room, "one");
    const two = await post(alice, room, "two");
    await post(alice, room, "hey @bob");
    await post(alice, room, "and @BOB again");
    expect((await api(server, "DELETE", `/messages/${two.id}`, undefined, alice.token)).status).toBe(200);
    // Writing in a room read it up to there: bob's marker is at his message.
    expect(await listed(bob, room.id)).toMatchObject({ kind: "room", isMember: true, lastSeq: 5, lastReadSeq: 1, unreadCount: 3, mentionCount: 2, notify: "mentions" });
    expect((await read(bob, room.id, 0)).body).toEqual({ roomId: room.id, lastReadSeq: 0, unreadCount: 3, mentionCount: 2 });
    expect(await listed(alice, room.id)).toMatchObject({ lastSeq: 5, lastReadSeq: 5, unreadCount: 0, mentionCount: 0 });
    await post(bob, room, "a reply");
    expect(await listed(alice, room.id)).toMatchObject({ lastSeq: 6, lastReadSeq: 5, unreadCount: 1 });
    expect(await listed(bob, room.id)).toMatchObject({ lastReadSeq: 6, unreadCount: 0, mentionCount: 0 });
  });

  test("a new member starts at the room's last seq: the history before them is not unread", async () => {
    const room = await createRoom(server, alice, "history");
    for (const text of ["a", "b", "c"]) await post(alice, room, text);
    expect(await listed(carol, room.id)).toEqual({ ...room, kind: "room", isMember: false });
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, carol.token);
    expect(await listed(carol, room.id)).toMatchObject({ isMember: true, lastSeq: 3, lastReadSeq: 3, unreadCount: 0 });
    const secret = await createRoom(server, alice, "secret", true);
    await post(alice, secret, "before you");
    expect((await invite(server, secret, alice, carol)).lastReadSeq).toBe(1);
    await post(alice, secret, "after you");
    expect(await listed(carol, secret.id)).toMatchObject({ lastReadSeq: 1, unreadCount: 1, notify: "all" });
  });

  test("POST /rooms/:id/read moves the marker either way, within 0..lastSeq, for members only", async () => {
    const room = await roomWithBob(false);
    for (const text of ["a", "@bob b", "c"]) await post(alice, room, text);
    expect(reply(await read(bob, room.id, 3))).toEqual({ status: 200, body: { roomId: room.id, lastReadSeq: 3, unreadCount: 0, mentionCount: 0 } });
    expect(reply(await read(bob, room.id, 1))).toEqual({ status: 200, body: { roomId: room.id, lastReadSeq: 1, unreadCount: 2, mentionCount: 1 } });
    expect(reply(await read(bob, room.id, 4))).toEqual({ status: 400, body: error("seq_out_of_range") });
    expect((await read(bob, room.id, -1)).status).toBe(400);
    expect(reply(await read(carol, room.id, 0))).toEqual({ status: 403, body: error("not_a_member") });
    const secret = await createRoom(server, alice, "secret", true);
    expect(reply(await read(carol, secret.id, 0))).toEqual({ status: 404, body: error("room_not_found") });
    expect(await listed(bob, room.id)).toMatchObject({ lastReadSeq: 1, unreadCount: 2 });
  });

  test("onlyForward moves the marker only up: a late report from another device marks nothing unread", async () => {
    const room = await roomWithBob(false);
    for (const text of ["a", "b", "c"]) await post(alice, room, text);
    await read(bob, room.id, 3);
    const phone = await connect(server, bob.token);
    const heard = hear(phone, "roomRead");
    const late = await api(server, "POST", `/rooms/${room.id}/read`, { seq: 1, onlyForward: true }, bob.token);
    expect(reply(late)).toEqual({ status: 200, body: { roomId: room.id, lastReadSeq: 3, unreadCount: 0, mentionCount: 0 } });
    expect(await phone.emitWithAck("markRead", { roomId: room.id, seq: 2, onlyForward: true })).toMatchObject({ lastReadSeq: 3 });
    await post(alice, room, "d");
    expect(await phone.emitWithAck("markRead", { roomId: room.id, seq: 4, onlyForward: true })).toMatchObject({ lastReadSeq: 4, unreadCount: 0 });
    // Only the move was announced.
    expect((await heard.until(() => true)).lastReadSeq).toBe(4);
    expect(heard.heard.filter((r) => r.roomId === room.id)).toHaveLength(1);
  });
});

describe("what reaches every socket of a person", () => {
  test("markRead over the socket answers like REST; the reader's other sockets hear roomRead with the counts, joined or not", async () => {
    const room = await roomWithBob(false);
    await post(alice, room, "hello @bob");
    const [tab, phone] = [await connect(server, bob.token), await connect(server, bob.token)];
    const onPhone = hear(phone, "roomRead");
    expect(await tab.emitWithAck("markRead", { roomId: room.id, seq: 1 })).toEqual({ roomId: room.id, lastReadSeq: 1, unreadCount: 0, mentionCount: 0 });
    expect(await onPhone.until(() => true)).toEqual({ roomId: room.id, userId: bob.id, lastReadSeq: 1, unreadCount: 0, mentionCount: 0 });
    expect(await tab.emitWithAck("markRead", { roomId: room.id, seq: 9 })).toEqual(error("seq_out_of_range"));
    expect(await tab.emitWithAck("markRead", { roomId: "nope", seq: 1 } as never)).toEqual(error("invalid_input"));
  });

  test("roomActivity reaches members who never joined the room on their socket, with their own counts, gathered: a burst is one or two events", async () => {
    const room = await roomWithBob(false);
    const bobs = await connect(server, bob.token);
    const activity = hear(bobs, "roomActivity");
    const alices = await connect(server, alice.token);
    await alices.emitWithAck("joinRoom", { roomId: room.id });
    await Promise.all(Array.from({ length: 20 }, (_, i) => alices.emitWithAck("sendMessage", { roomId: room.id, content: i === 7 ? "@bob look" : `burst ${i}` })));
    expect(await activity.until((a) => a.lastSeq === 20)).toEqual({ roomId: room.id, lastSeq: 20, unreadCount: 20, mentionCount: 1 });
    expect(activity.heard.filter((a) => a.roomId === room.id).length).toBeLessThanOrEqual(2); // other tests' rooms may still be told
  });

  test("notification follows the level: all in private rooms, mentions in public ones, none never; never one's own", async () => {
    const [priv, pub] = [await roomWithBob(true), await roomWithBob(false)];
    const bobs = await connect(server, bob.token);
    const notes = hear(bobs, "notification");
    const alices = hear(await connect(server, alice.token), "notification");
    await post(alice, pub, "plain, public");
    await post(alice, priv, "plain, private");
    const note = await notes.until((n) => n.roomId === priv.id);
    expect(note).toMatchObject({ roomId: priv.id, roomName: priv.name, kind: "room", message: { content: "plain, private", username: "alice" } });
    await post(alice, pub, "@bob, public");
    expect(await notes.until((n) => n.roomId === pub.id)).toMatchObject({ message: { content: "@bob, public" } });
    expect(reply(await api(server, "PUT", `/rooms/${priv.id}/notify`, { level: "none" }, bob.token))).toEqual({ status: 200, body: { roomId: priv.id, notify: "none" } });
    expect((await api(server, "PUT", `/rooms/${priv.id}/notify`, { level: "loud" }, bob.token)).status).toBe(400);
    await post(alice, priv, "@bob, muted");
    await post(alice, pub, "@bob, last");
    await notes.until((n) => n.message.content === "@bob, last");
    // (Rounds of other tests' rooms may still be on their way to this new socket.)
    const here = notes.heard.filter((n) => n.roomId === priv.id || n.roomId === pub.id);
    expect(here.map((n) => n.message.content)).toEqual(["plain, private", "@bob, public", "@bob, last"]);
    expect(alices.heard).toEqual([]);
    expect(await listed(bob, priv.id)).toMatchObject({ notify: "none" });
  });
});

describe("direct rooms", () => {
  test("POST /dms makes the pair's room once: 201, then 200 from either side; named after the other person", async () => {
    const [dana, erin] = await people(server, "dana", "erin");
    const first = await api(server, "POST", "/dms", { username: "ERIN" }, dana.token);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: "erin", kind: "direct", isPrivate: true, ownerId: null });
    const again = await api(server, "POST", "/dms", { username: "erin" }, dana.token);
    const back = await api(server, "POST", "/dms", { username: "dana" }, erin.token);
    expect([again.status, again.body.id, back.status, back.body.id, back.body.name]).toEqual([200, first.body.id, 200, first.body.id, "dana"]);
    expect(await listed(erin, first.body.id)).toMatchObject({ kind: "direct", name: "dana", isMember: true, notify: "all" });
    expect(reply(await api(server, "POST", "/dms", { username: "nobody-here" }, dana.token))).toEqual({ status: 404, body: error("user_not_found") });
    expect((await api(server, "POST", "/dms", { username: "erin" })).status).toBe(401);
  });

  test("two people opening it at the same moment get one room", async () => {
    const [fay, gus] = await people(server, "fay", "gus");
    const opened = await Promise.all(Array.from({ length: 8 }, (_, i) => api(server, "POST", "/dms", { username: i % 2 ? "fay" : "gus" }, i % 2 ? gus.token : fay.token)));
    expect(new Set(opened.map((o) => o.body.id)).size).toBe(1);
    expect(opened.filter((o) => o.status === 201)).toHaveLength(1);
  });

  test("is a private room of two: no joining, no invites; messages, read receipts and typing work as anywhere", async () => {
    const [hal, ivy] = await people(server, "hal", "ivy");
    const dm = (await api(server, "POST", "/dms", { username: "ivy" }, hal.token)).body;
    expect(reply(await api(server, "POST", `/rooms/${dm.id}/join`, undefined, carol.token))).toEqual({ status: 404, body: error("room_not_found") });
    expect(reply(await api(server, "POST", `/rooms/${dm.id}/invites`, { username: "carol" }, hal.token))).toEqual({ status: 403, body: error("not_the_owner") });
    const ivys = await connect(server, ivy.token);
    const receipts = hear(ivys, "roomRead");
    const notes = hear(ivys, "notification");
    const message = await post(hal, dm, "psst");
    expect(await notes.until(() => true)).toMatchObject({ roomId: dm.id, roomName: "hal", kind: "direct", message: { id: message.id } });
    const hals = hear(await connect(server, hal.token), "roomRead");
    await read(ivy, dm.id, 1);
    expect(await hals.until(() => true)).toEqual({ roomId: dm.id, userId: ivy.id, lastReadSeq: 1 });
    expect(await receipts.until(() => true)).toEqual({ roomId: dm.id, userId: ivy.id, lastReadSeq: 1, unreadCount: 0, mentionCount: 0 });
    const members = (await api(server, "GET", `/rooms/${dm.id}/members`, undefined, hal.token)).body;
    expect(members.map((m: { username: string; lastReadSeq: number; isOwner: boolean }) => [m.username, m.lastReadSeq, m.isOwner]).sort()).toEqual([
      ["hal", 1, false],
      ["ivy", 1, false],
    ]);
  });

  test("one's own direct room is a place for notes", async () => {
    const own = await api(server, "POST", "/dms", { username: "carol" }, carol.token);
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ name: "carol", kind: "direct" });
    await post(carol, own.body, "remember the milk");
    expect(await listed(carol, own.body.id)).toMatchObject({ lastSeq: 1, unreadCount: 0 });
  });
});

describe("people", () => {
  test("GET /users finds people by part of their name, any case, those starting with it first", async () => {
    await people(server, "zed-search", "azed", "Zedd");
    const found = await api(server, "GET", "/users?query=ZED", undefined, alice.token);
    expect(found.status).toBe(200);
    expect(found.body.map((p: { username: string }) => p.username)).toEqual(["zed-search", "Zedd", "azed"]);
    expect(found.body[0]).toEqual({ id: expect.any(String), username: "zed-search", avatarUrl: `/users/${found.body[0].id}/avatar` });
    expect((await api(server, "GET", "/users?query=zed&limit=1", undefined, alice.token)).body).toHaveLength(1);
    expect((await api(server, "GET", "/users?limit=0", undefined, alice.token)).status).toBe(400);
    expect((await api(server, "GET", "/users?query=zed")).status).toBe(401);
  });
});

describe.skipIf(!databaseUrl || !redisUrl)("across instances", () => {
  let peer: TestServer;
  beforeAll(async () => {
    peer = await startPeer(server);
  });
  afterAll(() => stopServer(peer));

  test("roomActivity, notification and roomRead reach a person's sockets on the other instance", async () => {
    const room = await roomWithBob(true);
    const bobsThere = await connect(peer, bob.token);
    const [activity, notes, receipts] = [hear(bobsThere, "roomActivity"), hear(bobsThere, "notification"), hear(bobsThere, "roomRead")];
    await post(alice, room, "over here", server);
    expect(await activity.until(() => true)).toEqual({ roomId: room.id, lastSeq: 1, unreadCount: 1, mentionCount: 0 });
    expect(await notes.until(() => true)).toMatchObject({ roomId: room.id, message: { content: "over here" } });
    await read(bob, room.id, 1, server);
    expect(await receipts.until(() => true)).toMatchObject({ roomId: room.id, userId: bob.id, lastReadSeq: 1 });
    expect(notes.heard).toHaveLength(1);
  });

  test("a room whose messages both instances store tells a person elsewhere at most once a second", async () => {
    const room = await roomWithBob(false);
    const bobsThere = await connect(peer, bob.token);
    const told: number[] = [];
    const activity = hear(bobsThere, "roomActivity");
    bobsThere.on("roomActivity", (a) => a.roomId === room.id && told.push(performance.now()));
    await Promise.all(Array.from({ length: 20 }, (_, i) => post(alice, room, `burst ${i}`, i % 2 ? peer : server)));
    expect(await activity.until((a) => a.roomId === room.id && a.lastSeq === 20)).toEqual({ roomId: room.id, lastSeq: 20, unreadCount: 20, mentionCount: 0 });
    expect(told.length).toBeLessThanOrEqual(2);
    if (told.length === 2) expect(told[1]! - told[0]!).toBeGreaterThan(900); // a second on the server's clock, less the network's jitter
  });
});
