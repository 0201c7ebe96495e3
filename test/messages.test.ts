// Messages over REST, seen by real clients: what POST /messages stores and refuses, and how
// GET /messages/:roomId pages through a room's history with seq cursors and Link headers.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { GroupCommit } from "../src/messages/group-commit";
import type { Message } from "../src/messages/schemas";
import { type Stored, storeMessages } from "../src/messages/store";
import {
  api,
  closeSockets,
  connect,
  createRoom,
  error,
  ISO,
  inbox,
  invite,
  type Person,
  people,
  reply,
  scrape,
  snapshot,
  startServer,
  stopServer,
  type TestServer,
  UUID,
} from "./harness";

let server: TestServer;
let alice: Person, bob: Person, carol: Person, mallory: Person;

beforeAll(async () => {
  server = await startServer();
  [alice, bob, carol, mallory] = await people(server, "alice", "bob", "carol", "mallory");
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

type Room = Awaited<ReturnType<typeof createRoom>>;

function post(person: Person, body: Record<string, unknown>) {
  return api(server, "POST", "/messages", body, person.token);
}

function history(person: Person, room: { id: string }, query = "") {
  return api(server, "GET", `/messages/${room.id}${query}`, undefined, person.token);
}

/** A room of alice's holding `count` messages "message 1".."message N" (seq 1..N), written straight to the database. */
async function roomWithMessages(count: number, name = "archive"): Promise<Room> {
  const room = await createRoom(server, alice, name);
  await server.sql`
    with room as (update rooms set last_seq = ${count}, last_rev = ${count} where id = ${room.id} returning id, owner_id)
    insert into messages (room_id, seq, rev, sender_id, content)
    select room.id, n, n, room.owner_id, 'message ' || n from room, generate_series(1, ${count}::int) n`;
  return room;
}

/** The seqs of each page met following `rel` links from `url`, in the order visited, until there is none (at most 50 pages). */
async function follow(url: string, rel: "prev" | "next"): Promise<number[][]> {
  const visited: number[][] = [];
  let next: string | undefined = url;
  for (let pages = 0; next && pages < 50; pages++) {
    const page = await api(server, "GET", next, undefined, alice.token);
    expect(page.status).toBe(200);
    visited.push(seqs(page.body));
    const link = links(page.headers)[rel];
    next = link && link.pathname + link.search;
  }
  expect(next).toBeUndefined();
  return visited;
}

/** The Link header as { rel: URL }. */
function links(headers: Headers): Record<string, URL> {
  const header = headers.get("link");
  if (header === null) return {};
  const found: Record<string, URL> = {};
  for (const part of header.split(",")) {
    const match = /^\s*<([^>]+)>\s*;\s*rel="(\w+)"\s*$/.exec(part);
    if (!match) throw new Error(`unreadable Link header: ${header}`);
    found[match[2]!] = new URL(match[1]!, server.base);
  }
  return found;
}

const seqs = (page: Message[]) => page.map((m) => m.seq);

describe("sending", () => {
  test("a message posted over REST is stored and answered with 201 and the whole message", async () => {
    const room = await createRoom(server, alice, "watercooler");
    const sent = await post(alice, { roomId: room.id, content: "good morning" });
    expect(sent.status).toBe(201);
    expect(sent.body).toEqual({
      id: expect.stringMatching(UUID),
      content: "good morning",
      senderId: alice.id,
      roomId: room.id,
      createdAt: expect.stringMatching(ISO),
      seq: 1,
      rev: 1,
      username: "alice",
      clientId: null,
      editedAt: null,
      deletedAt: null,
      replyTo: null,
      reactions: [],
      mentions: [],
      previews: [],
      attachments: [],
    });
    expect(reply(await history(alice, room))).toEqual({ status: 200, body: [sent.body] });
  });

  test("senderId may be given when it is the caller's own id, and clientId is echoed back", async () => {
    const room = await createRoom(server, alice, "watercooler");
    const sent = await post(alice, { roomId: room.id, content: "it's me", senderId: alice.id, clientId: "alice-phone-1" });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ senderId: alice.id, username: "alice", clientId: "alice-phone-1", seq: 1 });
  });

  test("a senderId that is not the caller's is refused with 403 not_yourself, and nothing is stored", async () => {
    const room = await createRoom(server, alice, "watercooler");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, mallory.token);
    const before = await snapshot(server);
    const refused = await post(mallory, { roomId: room.id, content: "I am alice", senderId: alice.id });
    expect(reply(refused)).toEqual({ status: 403, body: error("not_yourself") });
    expect(await snapshot(server)).toEqual(before);
    expect((await history(alice, room)).body).toEqual([]);
  });

  test("whitespace-only content is refused with 400 empty_message, and nothing is stored", async () => {
    const room = await createRoom(server, alice, "watercooler");
    const before = await snapshot(server);
    for (const content of [" ", "   ", "\n\t \r\n", "\u00a0\u2003"]) {
      const refused = await post(alice, { roomId: room.id, content });
      expect({ content, status: refused.status, body: refused.body }).toEqual({ content, status: 400, body: error("empty_message") });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  test("empty, missing or non-string content, and a malformed room id, are refused with 400 invalid_input", async () => {
    const room = await createRoom(server, alice, "watercooler");
    const before = await snapshot(server);
    for (const body of [{ roomId: room.id, content: "" }, { roomId: room.id }, { roomId: room.id, content: 42 }, { roomId: "watercooler", content: "hi" }, { content: "hi" }]) {
      const refused = await post(alice, body);
      expect({ body, status: refused.status, error: refused.body }).toEqual({ body, status: 400, error: error("invalid_input") });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  test("content of exactly 4000 characters is accepted, counting an emoji as one character", async () => {
    const room = await createRoom(server, alice, "watercooler");
    for (const content of ["a".repeat(4000), "😀".repeat(4000), "é".repeat(2000) + "🎉".repeat(2000)]) {
      const sent = await post(alice, { roomId: room.id, content });
      expect(sent.status).toBe(201);
      expect(sent.body.content).toBe(content);
    }
    expect(seqs((await history(alice, room)).body)).toEqual([1, 2, 3]);
  });

  test("content over 4000 characters is refused with 413 message_too_long, and nothing is stored", async () => {
    const room = await createRoom(server, alice, "watercooler");
    const before = await snapshot(server);
    for (const content of ["a".repeat(4001), "😀".repeat(4001), "a".repeat(3999) + "😀😀"]) {
      const refused = await post(alice, { roomId: room.id, content });
      expect({ length: [...content].length, status: refused.status, body: refused.body }).toEqual({ length: [...content].length, status: 413, body: error("message_too_long") });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  test("a clientId already used in another room is refused with 409 client_id_reused, and nothing is stored", async () => {
    const first = await createRoom(server, alice, "watercooler");
    const second = await createRoom(server, alice, "kitchen");
    const stored = await post(alice, { roomId: first.id, content: "hello", clientId: "alice-laptop-7" });
    expect(stored.status).toBe(201);
    const before = await snapshot(server);
    const refused = await post(alice, { roomId: second.id, content: "hello", clientId: "alice-laptop-7" });
    expect(reply(refused)).toEqual({ status: 409, body: error("client_id_reused") });
    expect(await snapshot(server)).toEqual(before);
    expect((await history(alice, second)).body).toEqual([]);
    expect((await history(alice, first)).body).toEqual([stored.body]);
  });

  test("a retried clientId in the same room answers 200 with the identical stored message, and stores nothing more", async () => {
    const room = await createRoom(server, alice, "watercooler");
    const socket = await connect(server, alice.token);
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    const hears = inbox(socket);
    const first = await post(alice, { roomId: room.id, content: "exactly once", clientId: "retry-me" });
    expect(first.status).toBe(201);
    const before = await snapshot(server);
    const retried = await post(alice, { roomId: room.id, content: "exactly once", clientId: "retry-me" });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(first.body);
    expect(await snapshot(server)).toEqual(before);
    expect((await history(alice, room)).body).toEqual([first.body]);

    // The next message is numbered as if the retry never happened, and the retry was never broadcast.
    const after = await post(alice, { roomId: room.id, content: "next" });
    expect(after.body.seq).toBe(2);
    expect(await hears.until(2)).toEqual([first.body, after.body]);
  });

  test("a clientId belongs to its sender: two people may use the same one", async () => {
    const room = await createRoom(server, alice, "watercooler");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const fromAlice = await post(alice, { roomId: room.id, content: "alice says", clientId: "msg-1" });
    const fromBob = await post(bob, { roomId: room.id, content: "bob says", clientId: "msg-1" });
    expect([fromAlice.status, fromBob.status]).toEqual([201, 201]);
    expect(fromAlice.body).toMatchObject({ senderId: alice.id, content: "alice says", clientId: "msg-1", seq: 1 });
    expect(fromBob.body).toMatchObject({ senderId: bob.id, content: "bob says", clientId: "msg-1", seq: 2 });
  });

  test("posting to a room that does not exist is 404 room_not_found", async () => {
    const before = await snapshot(server);
    const refused = await post(alice, { roomId: crypto.randomUUID(), content: "hello?" });
    expect(reply(refused)).toEqual({ status: 404, body: error("room_not_found") });
    expect(await snapshot(server)).toEqual(before);
  });

  test("posting to a public room one has not joined is 403 not_a_member", async () => {
    const room = await createRoom(server, alice, "watercooler");
    const before = await snapshot(server);
    const refused = await post(mallory, { roomId: room.id, content: "hi all" });
    expect(reply(refused)).toEqual({ status: 403, body: error("not_a_member") });
    expect(await snapshot(server)).toEqual(before);
  });

  test("posting without signing in is 401, and nothing is stored", async () => {
    const room = await createRoom(server, alice, "watercooler");
    const before = await snapshot(server);
    const refused = await api(server, "POST", "/messages", { roomId: room.id, content: "anonymous" });
    expect(reply(refused)).toEqual({ status: 401, body: error("missing_token") });
    expect(await snapshot(server)).toEqual(before);
  });

  test("a member removed from a private room cannot post to it by retrying an old clientId", async () => {
    const room = await createRoom(server, alice, "vault", true);
    await invite(server, room, alice, bob);
    const stored = await post(bob, { roomId: room.id, content: "my last words", clientId: "bob-1" });
    expect(stored.status).toBe(201);
    expect((await api(server, "DELETE", `/rooms/${room.id}/members/${bob.id}`, undefined, alice.token)).status).toBe(204);

    // To bob the room is now no room at all: a retry must not answer 200 with the room's message.
    const before = await snapshot(server);
    const retried = await post(bob, { roomId: room.id, content: "my last words", clientId: "bob-1" });
    expect({ status: retried.status, body: retried.body }).toEqual({ status: 404, body: error("room_not_found") });
    expect(await snapshot(server)).toEqual(before);
  });
});

describe("seq", () => {
  test("seq is counted per room: two rooms each start at 1", async () => {
    const north = await createRoom(server, alice, "north");
    const south = await createRoom(server, alice, "south");
    const sent = [];
    for (const [room, content] of [
      [north, "n1"],
      [south, "s1"],
      [north, "n2"],
      [north, "n3"],
      [south, "s2"],
    ] as const) {
      sent.push((await post(alice, { roomId: room.id, content })).body);
    }
    expect(sent.map((m) => [m.content, m.seq])).toEqual([
      ["n1", 1],
      ["s1", 1],
      ["n2", 2],
      ["n3", 3],
      ["s2", 2],
    ]);
    expect(seqs((await history(alice, north)).body)).toEqual([1, 2, 3]);
    expect(seqs((await history(alice, south)).body)).toEqual([1, 2]);
  });
});

describe("history", () => {
  test("history is oldest first, each message exactly as it was answered when posted", async () => {
    const room = await createRoom(server, alice, "watercooler");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const sent: Message[] = [];
    for (const [person, content] of [
      [alice, "first"],
      [bob, "second"],
      [alice, "third"],
      [bob, "fourth"],
    ] as const) {
      sent.push((await post(person, { roomId: room.id, content })).body);
    }
    const page = await history(carol, room);
    expect(page.status).toBe(200);
    expect(page.body).toEqual(sent);
    expect(seqs(page.body)).toEqual([1, 2, 3, 4]);
    expect(page.body.map((m: Message) => m.username)).toEqual(["alice", "bob", "alice", "bob"]);
    expect(page.headers.get("link")).toBeNull();
  });

  test("the default page is the newest 50, in chronological order, with a link to the older ones", async () => {
    const room = await roomWithMessages(120);
    const page = await history(alice, room);
    expect(page.status).toBe(200);
    expect(seqs(page.body)).toEqual(range(71, 120));
    expect(page.body[0]).toEqual({
      id: expect.stringMatching(UUID),
      content: "message 71",
      senderId: alice.id,
      roomId: room.id,
      createdAt: expect.stringMatching(ISO),
      seq: 71,
      rev: 71,
      username: "alice",
      clientId: null,
      editedAt: null,
      deletedAt: null,
      replyTo: null,
      reactions: [],
      mentions: [],
      previews: [],
      attachments: [],
    });
    const { prev, next, ...others } = links(page.headers);
    expect(others).toEqual({});
    expect(next).toBeUndefined();
    expect(prev?.pathname).toBe(`/messages/${room.id}`);
    expect(prev?.searchParams.get("before")).toBe("71");
    expect(prev?.searchParams.get("after")).toBeNull();
  });

  test("limit takes any page size from 1 to 200", async () => {
    const room = await roomWithMessages(120);
    expect(seqs((await history(alice, room, "?limit=1")).body)).toEqual([120]);
    expect(seqs((await history(alice, room, "?limit=10")).body)).toEqual(range(111, 120));
    expect(seqs((await history(alice, room, "?limit=200")).body)).toEqual(range(1, 120));
    const small = await history(alice, room, "?limit=10");
    expect(links(small.headers).prev?.searchParams.get("limit")).toBe("10");
  });

  test("a limit of 0 or 201, or one that is not a whole number, is refused with 400", async () => {
    const room = await roomWithMessages(3);
    for (const query of ["?limit=0", "?limit=201", "?limit=-5", "?limit=ten", "?limit=2.5"]) {
      const refused = await history(alice, room, query);
      expect({ query, status: refused.status, body: refused.body }).toEqual({ query, status: 400, body: error("invalid_input") });
    }
  });

  test("before=S gives the newest page of messages older than S", async () => {
    const room = await roomWithMessages(120);
    const page = await history(alice, room, "?before=71&limit=10");
    expect(page.status).toBe(200);
    expect(seqs(page.body)).toEqual(range(61, 70));
    expect(page.body.map((m: Message) => m.content)).toEqual(range(61, 70).map((n) => `message ${n}`));
    const { prev, next } = links(page.headers);
    expect(prev?.searchParams.get("before")).toBe("61");
    expect(next?.searchParams.get("after")).toBe("70");
    expect(seqs((await history(alice, room, "?before=6&limit=10")).body)).toEqual([1, 2, 3, 4, 5]);
    expect(seqs((await history(alice, room, "?before=121")).body)).toEqual(range(71, 120));
  });

  test("after=S gives the oldest page of messages newer than S", async () => {
    const room = await roomWithMessages(120);
    const page = await history(alice, room, "?after=0");
    expect(seqs(page.body)).toEqual(range(1, 50));
    const first = links(page.headers);
    expect(first.prev).toBeUndefined();
    expect(first.next?.searchParams.get("after")).toBe("50");

    const middle = await history(alice, room, "?after=30&limit=10");
    expect(seqs(middle.body)).toEqual(range(31, 40));
    const around = links(middle.headers);
    expect(around.prev?.searchParams.get("before")).toBe("31");
    expect(around.next?.searchParams.get("after")).toBe("40");

    const last = await history(alice, room, "?after=100");
    expect(seqs(last.body)).toEqual(range(101, 120));
    expect(links(last.headers).next).toBeUndefined();
    expect(links(last.headers).prev?.searchParams.get("before")).toBe("101");
  });

  test("following the prev links from the newest page visits every message exactly once, back to seq 1", async () => {
    const room = await roomWithMessages(120);
    const visited = (await follow(`/messages/${room.id}?limit=7`, "prev")).reverse();
    expect(visited.flat()).toEqual(range(1, 120));
    expect(visited.map((p) => p.length)).toEqual([1, ...Array(17).fill(7)]);
  });

  test("following the next links from after=0 visits every message exactly once, to the newest", async () => {
    const room = await roomWithMessages(120);
    const visited = await follow(`/messages/${room.id}?after=0&limit=7`, "next");
    expect(visited.flat()).toEqual(range(1, 120));
    expect(visited.map((p) => p.length)).toEqual([...Array(17).fill(7), 1]);
  });

  test("an empty page has no Link header", async () => {
    const room = await roomWithMessages(120);
    for (const query of ["?after=120", "?after=500", "?before=1", "?before=0"]) {
      const page = await history(alice, room, query);
      expect({ query, status: page.status, body: page.body, link: page.headers.get("link") }).toEqual({ query, status: 200, body: [], link: null });
    }
    const empty = await createRoom(server, alice, "quiet");
    const page = await history(alice, empty);
    expect({ status: page.status, body: page.body, link: page.headers.get("link") }).toEqual({ status: 200, body: [], link: null });
  });

  test("a page holding the whole room has no Link header", async () => {
    const room = await roomWithMessages(120);
    const page = await history(alice, room, "?limit=200");
    expect(seqs(page.body)).toEqual(range(1, 120));
    expect(page.headers.get("link")).toBeNull();
  });

  test("cursors that are not whole numbers are refused with 400", async () => {
    const room = await roomWithMessages(3);
    for (const query of ["?before=abc", "?after=abc", "?before=1.5", "?after=-1", "?before=", "?after=2e"]) {
      const refused = await history(alice, room, query);
      expect({ query, status: refused.status, body: refused.body }).toEqual({ query, status: 400, body: error("invalid_input") });
    }
  });

  test("a malformed room id is refused with 400", async () => {
    const refused = await api(server, "GET", "/messages/watercooler", undefined, alice.token);
    expect(reply(refused)).toEqual({ status: 400, body: error("invalid_input") });
  });

  test("reading history needs a signed-in user", async () => {
    const room = await roomWithMessages(3);
    const refused = await api(server, "GET", `/messages/${room.id}`);
    expect(reply(refused)).toEqual({ status: 401, body: error("missing_token") });
  });
});

describe("who may read", () => {
  test("a public room's history is readable by anyone signed in, member or not", async () => {
    const room = await createRoom(server, alice, "town square");
    const sent = (await post(alice, { roomId: room.id, content: "hear ye" })).body;
    const page = await history(mallory, room);
    expect(reply(page)).toEqual({ status: 200, body: [sent] });
    const members = await api(server, "GET", `/rooms/${room.id}/members`, undefined, alice.token);
    expect(members.body.map((m: { username: string }) => m.username)).toEqual(["alice"]);
  });

  test("a private room's history is readable by its members only; to anyone else it is no room at all", async () => {
    const room = await createRoom(server, alice, "vault", true);
    await invite(server, room, alice, bob);
    const sent = (await post(alice, { roomId: room.id, content: "the combination" })).body;
    expect(reply(await history(alice, room))).toEqual({ status: 200, body: [sent] });
    expect(reply(await history(bob, room))).toEqual({ status: 200, body: [sent] });

    const ghost = { id: crypto.randomUUID() };
    for (const query of ["", "?after=0", "?before=2", "?limit=1"]) {
      const hidden = await history(mallory, room, query);
      const nowhere = await history(mallory, ghost, query);
      expect({ query, status: hidden.status, body: hidden.body }).toEqual({ query, status: 404, body: error("room_not_found") });
      expect({ status: hidden.status, body: hidden.body, link: hidden.headers.get("link") }).toEqual({
        status: nowhere.status,
        body: nowhere.body,
        link: nowhere.headers.get("link"),
      });
    }
  });
});

// Group commit: the sends of one moment are stored together in one statement, and each is
// answered as if it had been stored alone.
describe("group commit", () => {
  /** How many batches have been stored, and how many messages they held. */
  async function batches(): Promise<{ count: number; messages: number }> {
    const samples = await scrape(server);
    return { count: samples.get("chatloop_message_batch_size_count") ?? 0, messages: samples.get("chatloop_message_batch_size_sum") ?? 0 };
  }

  test("sends to several rooms at once share statements, and each room is numbered 1..N without a gap", async () => {
    const rooms = [await createRoom(server, alice, "one"), await createRoom(server, alice, "two"), await createRoom(server, alice, "three")];
    const sockets = [await connect(server, alice.token), await connect(server, alice.token), await connect(server, alice.token)];
    const before = await batches();

    const acks = await Promise.all(
      sockets.flatMap((socket) =>
        rooms.flatMap((room) => Array.from({ length: 10 }, (_, n) => socket.emitWithAck("sendMessage", { roomId: room.id, content: `${room.name} ${n}` }) as Promise<Message>)),
      ),
    );
    for (const room of rooms) {
      expect(
        acks
          .filter((ack) => ack.roomId === room.id)
          .map((ack) => ack.seq)
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      const history = (await api(server, "GET", `/messages/${room.id}?limit=200`, undefined, alice.token)).body as Message[];
      expect(history).toEqual(acks.filter((ack) => ack.roomId === room.id).sort((a, b) => a.seq - b.seq));
    }
    const after = await batches();
    expect(after.messages - before.messages).toBe(90);
    expect(after.count - before.count).toBeLessThan(90);
  });

  test("the largest batch, 500 messages (of 1,000 characters each), is stored in one statement within the database's time limits", async () => {
    const room = await createRoom(server, alice, "long batch");
    const long = "a long message ".repeat(100).slice(0, 1000);
    const batch = Array.from({ length: 500 }, (_, i) => ({ roomId: room.id, senderId: alice.id, username: alice.username, content: long, clientId: `long ${i}`, replyToId: null }));
    const results = await storeMessages(server.sql, batch);
    expect(results.map((result) => result.outcome)).toEqual(Array(500).fill("stored"));
  });

  test("a batch holds at most 1,000,000 characters of content: 300 sends of 4,000 characters waiting at once go in two statements", async () => {
    const room = await createRoom(server, alice, "long texts");
    const sizes: number[] = [];
    const store = new GroupCommit(server.sql, 1, (size) => sizes.push(size));
    const send = (content: string) => store.store({ roomId: room.id, senderId: alice.id, username: alice.username, content, clientId: null, replyToId: null });
    const opening = send("opening"); // stored alone; the 300 below wait for it
    const stored = await Promise.all(range(1, 300).map((n) => send(`${n} `.padEnd(4000, "x"))));
    await opening;
    expect(stored.map((s) => s.outcome)).toEqual(Array(300).fill("stored"));
    expect(sizes).toEqual([1, 250, 50]);
  });

  test("a room has one statement in flight: its sends made meanwhile wait and go together, while another room's send is stored beside it", async () => {
    const [busy, quiet] = [await createRoom(server, alice, "busy room"), await createRoom(server, alice, "quiet room")];
    const sizes: number[] = [];
    const store = new GroupCommit(server.sql, 2, (size) => sizes.push(size));
    const send = (roomId: string, content: string) => store.store({ roomId, senderId: alice.id, username: alice.username, content, clientId: null, replyToId: null });
    const opening = send(busy.id, "opening");
    const waiting = range(1, 20).map((n) => send(busy.id, `busy ${n}`));
    const beside = send(quiet.id, "beside");
    // The quiet room's statement may end before the busy room's or after: both are awaited.
    const [stored] = await Promise.all([Promise.all([opening, ...waiting]), beside]);
    // Two stores may run at once, yet the busy room's 20 waited for its first, and went together
    // once it was done; the quiet room's send took the second store meanwhile.
    expect(sizes.toSorted((a, b) => a - b)).toEqual([1, 1, 20]);
    // One statement, one transaction: the 20 share its start time.
    expect(new Set(stored.slice(1).map((s) => s.outcome === "stored" && s.message.createdAt)).size).toBe(1);
    expect((await beside).outcome).toBe("stored");
    expect(stored.map((s) => (s.outcome === "stored" ? s.message.seq : s.outcome))).toEqual(range(1, 21));
  });

  test("in one batch, a stranger's send is refused, a retry finds its message, a clientId sent twice is stored once, and the rest are stored", async () => {
    const room = await createRoom(server, alice, "mixed batch");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const [asAlice, asBob, asMallory] = [await connect(server, alice.token), await connect(server, bob.token), await connect(server, mallory.token)];
    const [retried, doubled] = [crypto.randomUUID(), crypto.randomUUID()];
    const first = (await asBob.emitWithAck("sendMessage", { roomId: room.id, content: "first", clientId: retried })) as Message;

    const [fresh, strangers, retry, twice] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, (_, n) => asAlice.emitWithAck("sendMessage", { roomId: room.id, content: `alice ${n}` }))),
      Promise.all(Array.from({ length: 3 }, () => asMallory.emitWithAck("sendMessage", { roomId: room.id, content: "let me in" }))),
      asBob.emitWithAck("sendMessage", { roomId: room.id, content: "first, again", clientId: retried }),
      Promise.all([1, 2].map(() => asBob.emitWithAck("sendMessage", { roomId: room.id, content: "once", clientId: doubled }))),
    ]);

    expect(strangers).toEqual(Array(3).fill({ message: "join the room first", code: "not_a_member" }));
    expect(retry).toEqual(first);
    expect(twice[0]).toEqual(twice[1]!);
    const history = (await api(server, "GET", `/messages/${room.id}`, undefined, alice.token)).body as Message[];
    expect(history.map((m) => m.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(history.filter((m) => m.clientId === doubled)).toEqual([twice[0] as Message]);
    expect(history.filter((m) => m.content.startsWith("alice")).sort((a, b) => a.seq - b.seq)).toEqual((fresh as Message[]).sort((a, b) => a.seq - b.seq));
  });

  test("sends the database refuses, mixed into a busy batch, fail alone: every other send of the batch is stored and acknowledged in order", async () => {
    const room = await createRoom(server, alice, "poisoned batch");
    const sizes: number[] = [];
    // One store at a time: the first send runs alone, and the 60 made meanwhile wait and go as one batch.
    const store = new GroupCommit(server.sql, 1, (size) => sizes.push(size));
    const send = (content: string, roomId = room.id) => store.store({ roomId, senderId: alice.id, username: alice.username, content, clientId: null, replyToId: null });
    // Text PostgreSQL's JSON refuses, and an id its uuid type refuses: each fails a whole statement.
    const poisons: Record<number, () => Promise<Stored>> = {
      12: () => send("a lone \ud800 surrogate"),
      30: () => send("a NUL \u0000 character"),
      47: () => send("to no room", "not-a-room-id"),
    };

    const opening = send("opening");
    const batch = await Promise.allSettled(range(1, 60).map((n) => poisons[n]?.() ?? send(`honest ${n}`)));
    await opening;

    const refused = batch.flatMap((outcome, i) => (outcome.status === "rejected" ? [i + 1] : []));
    expect(refused).toEqual([12, 30, 47]);
    const acknowledged = batch.flatMap((outcome) => (outcome.status === "fulfilled" && outcome.value.outcome === "stored" ? [outcome.value.message] : []));
    expect(acknowledged.map((m) => m.content)).toEqual(
      range(1, 60)
        .filter((n) => !poisons[n])
        .map((n) => `honest ${n}`),
    );
    expect(acknowledged.map((m) => m.seq)).toEqual(range(2, 58));
    const history = (await api(server, "GET", `/messages/${room.id}?limit=200`, undefined, alice.token)).body as Message[];
    expect(history.slice(1)).toEqual(acknowledged);
    expect(sizes[0]).toBe(1);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(58);
  });
});
