// The log carries changes: edits, deletions, reactions, replies and mentions, each taking the
// room's next rev, heard by every socket in the room as messageUpdated, and replayed exactly to
// a client that was away. Seen by real clients over HTTP and Socket.IO.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { Message } from "../src/messages/schemas";
import {
  api,
  type ChatSocket,
  closeSockets,
  connect,
  createRoom,
  databaseUrl,
  type Endpoint,
  error,
  flush,
  invite,
  next,
  type Person,
  people,
  redisUrl,
  reply,
  snapshot,
  startPeer,
  startServer,
  stopServer,
  type TestServer,
} from "./harness";

let server: TestServer;
let alice: Person, bob: Person, carol: Person, mallory: Person;

beforeAll(async () => {
  server = await startServer();
  [alice, bob, carol, mallory] = await people(server, "alice", "bob", "carol", "mallory");
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

type Room = Awaited<ReturnType<typeof createRoom>>;

/** A public room of alice's that bob and carol have joined. */
async function watercooler(isPrivate = false): Promise<Room> {
  const room = await createRoom(server, alice, "watercooler", isPrivate);
  for (const person of [bob, carol]) {
    if (isPrivate) await invite(server, room, alice, person);
    else await api(server, "POST", `/rooms/${room.id}/join`, undefined, person.token);
  }
  return room;
}

async function post(person: Person, room: Room, content: string, extra: Record<string, unknown> = {}): Promise<Message> {
  const sent = await api(server, "POST", "/messages", { roomId: room.id, content, ...extra }, person.token);
  if (sent.status !== 201) throw new Error(`post: ${JSON.stringify(sent.body)}`);
  return sent.body;
}

const edit = (person: Person, message: { id: string }, content: string) => api(server, "PATCH", `/messages/${message.id}`, { content }, person.token);
const remove = (person: Person, message: { id: string }) => api(server, "DELETE", `/messages/${message.id}`, undefined, person.token);
const reactionPath = (message: { id: string }, emoji: string) => `/messages/${message.id}/reactions/${encodeURIComponent(emoji)}`;
const reactWith = (person: Person, message: { id: string }, emoji: string) => api(server, "PUT", reactionPath(message, emoji), undefined, person.token);
const unreactWith = (person: Person, message: { id: string }, emoji: string) => api(server, "DELETE", reactionPath(message, emoji), undefined, person.token);
const history = async (person: Person, room: Room): Promise<Message[]> => (await api(server, "GET", `/messages/${room.id}?limit=200`, undefined, person.token)).body;

/** A socket of `person` joined to the room, and everything it hears of the room's log, in order. */
async function listener(person: Person, room: Room, seen: { after?: number; since?: number } = {}, on: Endpoint = server) {
  const socket = await connect(on, person.token);
  const heard: { event: "newMessage" | "messageUpdated"; message: Message }[] = [];
  socket.on("newMessage", (message) => heard.push({ event: "newMessage", message }));
  socket.on("messageUpdated", (message) => heard.push({ event: "messageUpdated", message }));
  const joined = await socket.emitWithAck("joinRoom", { roomId: room.id, ...seen });
  if ("code" in joined) throw new Error(`join: ${joined.message}`);
  return { socket, heard };
}

describe("editing", () => {
  test("the sender's edit answers the message with its new text, editedAt and the next rev, and every socket in the room hears it as messageUpdated", async () => {
    const room = await watercooler();
    const original = await post(alice, room, "helo");
    const bobs = await listener(bob, room);

    const edited = await edit(alice, original, "hello");
    expect(edited.status).toBe(200);
    expect(edited.body).toEqual({ ...original, content: "hello", rev: original.rev + 1, editedAt: expect.any(String) });
    await flush(bobs.socket);
    expect(bobs.heard).toEqual([{ event: "messageUpdated", message: edited.body }]);
    expect(await history(carol, room)).toEqual([edited.body]);
  });

  test("the same text again changes nothing and takes no rev; someone else's message is 403 forbidden; a deleted one is 409 deleted", async () => {
    const room = await watercooler();
    const message = await post(alice, room, "as it was");
    const before = await snapshot(server);
    expect(reply(await edit(alice, message, "as it was"))).toEqual({ status: 200, body: message });
    expect(reply(await edit(bob, message, "mine now"))).toEqual({ status: 403, body: error("forbidden") });
    expect(await snapshot(server)).toEqual(before);

    await remove(alice, message);
    expect(reply(await edit(alice, message, "back again"))).toEqual({ status: 409, body: error("deleted") });
  });

  test("an edit over Socket.IO answers through the acknowledgement, and an empty or too long text is refused and changes nothing", async () => {
    const room = await watercooler();
    const message = await post(bob, room, "typo");
    const socket = await connect(server, bob.token);
    const edited = (await socket.emitWithAck("editMessage", { messageId: message.id, content: "no typo" })) as Message;
    expect(edited).toMatchObject({ id: message.id, content: "no typo", rev: message.rev + 1 });

    const before = await snapshot(server);
    expect(await socket.emitWithAck("editMessage", { messageId: message.id, content: "   " })).toEqual(error("empty_message"));
    expect(await socket.emitWithAck("editMessage", { messageId: message.id, content: "x".repeat(4001) })).toEqual(error("message_too_long"));
    expect(await socket.emitWithAck("editMessage", { messageId: message.id, content: "" })).toEqual(error("invalid_input"));
    expect(await socket.emitWithAck("editMessage", { messageId: crypto.randomUUID(), content: "who?" })).toEqual(error("message_not_found"));
    expect(await snapshot(server)).toEqual(before);
  });
});

describe("deleting", () => {
  test("a deleted message keeps its id, seq and sender, loses its text, reactions and mentions, and the room hears it", async () => {
    const room = await watercooler();
    const message = await post(bob, room, "oops @carol");
    await reactWith(carol, message, "😮");
    const alices = await listener(alice, room);

    const deleted = await remove(bob, message);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({
      id: message.id,
      seq: message.seq,
      senderId: bob.id,
      content: "",
      reactions: [],
      mentions: [],
      deletedAt: expect.any(String),
      rev: message.rev + 2,
    });
    await flush(alices.socket);
    expect(alices.heard).toEqual([{ event: "messageUpdated", message: deleted.body }]);
    expect(await history(carol, room)).toEqual([deleted.body]);
  });

  test("the room's owner may delete anyone's message; another member may not; deleting twice is no error and takes no rev", async () => {
    const room = await watercooler();
    const message = await post(bob, room, "off topic");
    const before = await snapshot(server);
    expect(reply(await remove(carol, message))).toEqual({ status: 403, body: error("forbidden") });
    expect(await snapshot(server)).toEqual(before);

    const deleted = await remove(alice, message);
    expect(deleted.status).toBe(200);
    expect(reply(await remove(alice, message))).toEqual({ status: 200, body: deleted.body });
    expect(reply(await remove(bob, message))).toEqual({ status: 200, body: deleted.body });
  });
});

describe("reactions", () => {
  test("members react with one emoji; the message sums them up in order of first use, with who reacted, and the room hears each change", async () => {
    const room = await watercooler();
    const message = await post(alice, room, "lunch?");
    const alices = await listener(alice, room);

    await reactWith(bob, message, "🍕");
    await reactWith(carol, message, "👍🏽");
    const last = await reactWith(carol, message, "🍕");
    expect(last.status).toBe(200);
    expect(last.body.reactions).toEqual([
      { emoji: "🍕", count: 2, userIds: [bob.id, carol.id] },
      { emoji: "👍🏽", count: 1, userIds: [carol.id] },
    ]);
    expect(last.body.rev).toBe(message.rev + 3);
    await flush(alices.socket);
    expect(alices.heard.map((h) => [h.event, h.message.rev])).toEqual([1, 2, 3].map((n) => ["messageUpdated", message.rev + n]));
  });

  test("reacting twice takes no rev; unreact takes your own reaction back, and someone else's stays", async () => {
    const room = await watercooler();
    const message = await post(alice, room, "ship it");
    const once = await reactWith(bob, message, "🚀");
    expect(reply(await reactWith(bob, message, "🚀"))).toEqual({ status: 200, body: once.body });
    await reactWith(carol, message, "🚀");

    const taken = await unreactWith(bob, message, "🚀");
    expect(taken.body.reactions).toEqual([{ emoji: "🚀", count: 1, userIds: [carol.id] }]);
    expect(reply(await unreactWith(bob, message, "🚀"))).toEqual({ status: 200, body: taken.body });
  });

  test("skin tones, ZWJ sequences, flags and keycaps are one emoji each; text, two emoji or nothing are refused with 400 invalid_emoji", async () => {
    const room = await watercooler();
    const message = await post(alice, room, "emoji test");
    for (const emoji of ["👍🏿", "👩‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "1️⃣", "❤️"]) expect((await reactWith(bob, message, emoji)).status).toBe(200);

    const before = await snapshot(server);
    for (const emoji of ["a", "ok", "👍👍", "👍 ", "1", "é"]) expect(reply(await reactWith(bob, message, emoji))).toEqual({ status: 400, body: error("invalid_emoji") });
    const socket = await connect(server, bob.token);
    expect(await socket.emitWithAck("react", { messageId: message.id, emoji: "" })).toEqual(error("invalid_input"));
    expect(await snapshot(server)).toEqual(before);
  });

  test("only members react: a public room's outsider gets 403 not_a_member, a private room's outsider 404, and a deleted message 409", async () => {
    const open = await watercooler();
    const closed = await watercooler(true);
    const [inOpen, inClosed] = [await post(alice, open, "public"), await post(alice, closed, "private")];
    const before = await snapshot(server);
    expect(reply(await reactWith(mallory, inOpen, "👀"))).toEqual({ status: 403, body: error("not_a_member") });
    expect(reply(await reactWith(mallory, inClosed, "👀"))).toEqual({ status: 404, body: error("message_not_found") });
    expect(await snapshot(server)).toEqual(before);
    await remove(alice, inOpen);
    expect(reply(await reactWith(bob, inOpen, "👀"))).toEqual({ status: 409, body: error("deleted") });
  });

  test("over Socket.IO, react and unreact answer through the acknowledgement", async () => {
    const room = await watercooler();
    const message = await post(alice, room, "sockets too");
    const socket = await connect(server, carol.token);
    expect(await socket.emitWithAck("react", { messageId: message.id, emoji: "🎉" })).toMatchObject({ reactions: [{ emoji: "🎉", count: 1, userIds: [carol.id] }] });
    expect(await socket.emitWithAck("unreact", { messageId: message.id, emoji: "🎉" })).toMatchObject({ reactions: [] });
  });
});

describe("changes racing each other", () => {
  test("a deletion racing reactions and edits of the same message: each answer is the message or 409 deleted, it ends deleted with no reactions, and no rev is lost", async () => {
    const room = await watercooler();
    const message = await post(alice, room, "going, going");
    const watcher = await listener(carol, room);
    const emoji = ["👍", "🎉", "👀", "🚀", "❤️", "😂", "🙏", "🔥"];
    const sockets = await Promise.all([alice, bob, carol].map((person) => connect(server, person.token)));
    const answers = await Promise.all([
      ...sockets.flatMap((socket) => emoji.map((e) => socket.emitWithAck("react", { messageId: message.id, emoji: e }))),
      ...[1, 2, 3].map((n) => sockets[0]!.emitWithAck("editMessage", { messageId: message.id, content: `going ${n}` })),
      sockets[0]!.emitWithAck("deleteMessage", { messageId: message.id }),
    ]);

    for (const answer of answers) expect("id" in answer ? answer.id : answer.code).toBe("id" in answer ? message.id : "deleted");
    const changes = answers.filter((answer) => "id" in answer).length;
    const [final] = await history(alice, room);
    expect([final!.content, final!.reactions, typeof final!.deletedAt, final!.rev]).toEqual(["", [], "string", 1 + changes]);
    await untilHeard(watcher, [final!]);
    expect(watcher.heard.map((h) => h.message.rev)).toEqual(Array.from({ length: 1 + changes }, (_, i) => i + 1).slice(1));
  });
});

describe("replies and mentions", () => {
  test("a reply carries a preview of the message it answers, cut to 200 characters", async () => {
    const room = await watercooler();
    const question = await post(alice, room, `long question ${"?".repeat(300)}`);
    const answer = await post(bob, room, "short answer", { replyToId: question.id });
    expect(answer.replyTo).toEqual({ id: question.id, seq: question.seq, senderId: alice.id, username: "alice", content: question.content.slice(0, 200) });
    expect((await history(carol, room)).at(-1)).toEqual(answer);
  });

  test("a reply to a message of another room, or to no message, is 404 message_not_found and stores nothing", async () => {
    const [here, there] = [await watercooler(), await watercooler()];
    const elsewhere = await post(alice, there, "over there");
    const before = await snapshot(server);
    for (const replyToId of [elsewhere.id, crypto.randomUUID()]) {
      const refused = await api(server, "POST", "/messages", { roomId: here.id, content: "re", replyToId }, bob.token);
      expect(reply(refused)).toEqual({ status: 404, body: error("message_not_found") });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  test("@username of a member, in any case, is a mention; an outsider, an unknown name and an e-mail address are not; an edit finds them again", async () => {
    const room = await watercooler();
    const sent = await post(alice, room, "@BOB and @carol. ask @mallory, @nobody or bob@example.com");
    expect([...sent.mentions].sort()).toEqual([bob.id, carol.id].sort());
    const edited = await edit(alice, sent, "only @carol now");
    expect(edited.body.mentions).toEqual([carol.id]);
    expect((await history(bob, room))[0]!.mentions).toEqual([carol.id]);
  });
});

describe("typing", () => {
  test("the room's other sockets hear who is typing, at most once per person every 2 seconds, and nothing is stored", async () => {
    const room = await watercooler();
    const [alices, bobs] = [await listener(alice, room), await listener(bob, room)];
    const typed: unknown[] = [];
    bobs.socket.on("typing", (payload) => typed.push(payload));
    const ownEcho: unknown[] = [];
    alices.socket.on("typing", (payload) => ownEcho.push(payload));
    const before = await snapshot(server);

    for (let i = 0; i < 5; i++) expect(await alices.socket.emitWithAck("typing", { roomId: room.id })).toEqual({ roomId: room.id });
    await flush(bobs.socket);
    expect(typed).toEqual([{ roomId: room.id, userId: alice.id, username: "alice" }]);
    expect(ownEcho).toEqual([]);
    expect(await snapshot(server)).toEqual(before);
  });

  test("a socket that has not joined the room is refused with not_joined", async () => {
    const room = await watercooler();
    const socket = await connect(server, mallory.token);
    expect(await socket.emitWithAck("typing", { roomId: room.id })).toEqual(error("not_joined"));
  });
});

describe("catching up on changes", () => {
  test("GET /rooms/:roomId/changes answers the room's rev and the current state of every message changed since, in rev order, in pages", async () => {
    const room = await watercooler();
    const [first, second, third] = [await post(alice, room, "one"), await post(bob, room, "two"), await post(carol, room, "three")];
    await edit(alice, first, "one, edited");
    await reactWith(bob, third, "👍");

    const all = await api(server, "GET", `/rooms/${room.id}/changes?since=0`, undefined, carol.token);
    expect(all.status).toBe(200);
    expect(all.body.rev).toBe(5);
    expect(all.body.messages.map((m: Message) => [m.content, m.rev])).toEqual([
      ["two", 2],
      ["one, edited", 4],
      ["three", 5],
    ]);

    const paged = await api(server, "GET", `/rooms/${room.id}/changes?since=2&limit=1`, undefined, carol.token);
    expect(paged.body.messages.map((m: Message) => m.id)).toEqual([first.id]);
    expect(paged.headers.get("link")).toBe(`</rooms/${room.id}/changes?since=4&limit=1>; rel="next"`);
    const none = await api(server, "GET", `/rooms/${room.id}/changes?since=5`, undefined, carol.token);
    expect([none.body, none.headers.get("link")]).toEqual([{ rev: 5, messages: [] }, null]);
    expect(second.rev).toBe(2);
  });

  test("changes of a private room are no room at all to an outsider, and a since that is not a rev is 400", async () => {
    const closed = await watercooler(true);
    expect(reply(await api(server, "GET", `/rooms/${closed.id}/changes?since=0`, undefined, mallory.token))).toEqual({ status: 404, body: error("room_not_found") });
    for (const since of ["-1", "x", "1.5", ""]) expect((await api(server, "GET", `/rooms/${closed.id}/changes?since=${since}`, undefined, alice.token)).status).toBe(400);
  });

  test("a client that rejoins with after and since hears the missed messages in their current state, then the older ones changed, in rev order", async () => {
    const room = await watercooler();
    const [kept, edited, reacted] = [await post(alice, room, "kept"), await post(alice, room, "edit me"), await post(bob, room, "react to me")];
    const seen = { after: reacted.seq, since: reacted.rev };
    await post(carol, room, "missed, then edited").then((m) => edit(carol, m, "missed and edited"));
    await reactWith(alice, reacted, "👍");
    await edit(alice, edited, "edited while away");

    const back = await listener(bob, room, seen);
    await flush(back.socket);
    expect(back.heard.map((h) => [h.event, h.message.content, h.message.rev])).toEqual([
      ["newMessage", "missed and edited", 5],
      ["messageUpdated", "react to me", 6],
      ["messageUpdated", "edited while away", 7],
    ]);
    expect(kept.rev).toBe(1);
  });
});

/** Applies what a client heard to what it had: by id, the higher rev wins. */
function apply(state: Map<string, Message>, messages: Message[]): Map<string, Message> {
  for (const message of messages) {
    const had = state.get(message.id);
    if (!had || had.rev < message.rev) state.set(message.id, message);
  }
  return state;
}

/**
 * Three people send, edit, delete and react through sockets on the given instances (in turn),
 * while carol's listener is away: she rejoins, on the last instance, with after and since.
 */
async function awayAndBack(instances: Endpoint[]) {
  const on = (i: number) => instances[i % instances.length]!;
  const room = await watercooler();
  const away = await listener(carol, room, {}, on(0));
  const sockets = await Promise.all([alice, bob, carol].map((person, i) => connect(on(i), person.token)));
  for (const socket of sockets) await socket.emitWithAck("joinRoom", { roomId: room.id });
  const sent: Message[] = [];
  const act = async (socket: ChatSocket, round: number) => {
    const message = (await socket.emitWithAck("sendMessage", { roomId: room.id, content: `round ${round}` })) as Message;
    sent.push(message);
    const earlier = sent[(round * 7) % sent.length]!;
    await socket.emitWithAck("react", { messageId: earlier.id, emoji: ["👍", "🎉", "👀"][round % 3]! });
    if (round % 3 === 0) await socket.emitWithAck("editMessage", { messageId: message.id, content: `round ${round}, edited` });
    if (round % 5 === 0) await socket.emitWithAck("deleteMessage", { messageId: message.id });
    if (round % 4 === 0) await socket.emitWithAck("unreact", { messageId: earlier.id, emoji: "👍" });
  };

  await Promise.all(sockets.map((socket, i) => act(socket, i)));
  const truthBefore = await history(alice, room);
  await untilHeard(away, truthBefore);
  const state = apply(
    new Map(),
    away.heard.map((h) => h.message),
  );
  const seen = { after: Math.max(...state.values().map((m) => m.seq)), since: Math.max(...state.values().map((m) => m.rev)) };
  away.socket.disconnect();

  await Promise.all(
    sockets.map(async (socket, i) => {
      for (let round = 3 + i; round < 30; round += 3) await act(socket, round);
    }),
  );

  const back = await listener(carol, room, seen, on(instances.length - 1));
  await flush(back.socket);
  const truth = await history(alice, room);
  expect(
    [
      ...apply(
        state,
        back.heard.map((h) => h.message),
      ).values(),
    ].sort((a, b) => a.seq - b.seq),
  ).toEqual(truth);
  // Never a change before the message it changes: a message carol did not have comes first as newMessage.
  const first = new Map<string, string>();
  for (const { event, message } of back.heard) if (!first.has(message.id)) first.set(message.id, event);
  for (const [id, event] of first) expect(event === "newMessage" || state.has(id)).toBe(true);
}

/** Waits (bounded by the test's timeout) until a listener's applied state matches `truth`: live delivery is asynchronous. */
async function untilHeard(listening: Awaited<ReturnType<typeof listener>>, truth: Message[]): Promise<void> {
  const matches = () =>
    JSON.stringify(
      [
        ...apply(
          new Map(),
          listening.heard.map((h) => h.message),
        ).values(),
      ].sort((a, b) => a.seq - b.seq),
    ) === JSON.stringify(truth);
  while (!matches()) await new Promise<void>((resolve) => listening.socket.once("messageUpdated", () => resolve()).once("newMessage", () => resolve()));
}

/** Alice and bob send, react and edit at once, through sockets on the given instances; carol listens on the last, and hears this. */
async function liveInRevOrder(instances: Endpoint[]): Promise<Message[]> {
  const room = await watercooler();
  const watcher = await listener(carol, room, {}, instances.at(-1));
  const sockets = await Promise.all([alice, bob].map((person, i) => connect(instances[i % instances.length]!, person.token)));
  for (const socket of sockets) await socket.emitWithAck("joinRoom", { roomId: room.id });
  await Promise.all(
    sockets.map(async (socket, i) => {
      for (let n = 0; n < 10; n++) {
        const message = (await socket.emitWithAck("sendMessage", { roomId: room.id, content: `${i}:${n}` })) as Message;
        await Promise.all([
          socket.emitWithAck("react", { messageId: message.id, emoji: "👍" }),
          socket.emitWithAck("editMessage", { messageId: message.id, content: `${i}:${n}!` }),
        ]);
      }
    }),
  );
  const truth = await history(alice, room);
  await untilHeard(watcher, truth);
  // Each message once as newMessage, in seq order, before any of its changes; each message's
  // revs only grow. (A change that reaches an instance ahead of an earlier one brings the
  // room up to date from the log, each message in its newest state, so not every rev is heard.)
  const news = watcher.heard.filter((h) => h.event === "newMessage").map((h) => h.message.seq);
  expect(news).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  const newest = new Map<string, number>();
  for (const { event, message } of watcher.heard) {
    expect(event === "newMessage" ? !newest.has(message.id) : (newest.get(message.id) ?? Infinity) < message.rev).toBe(true);
    newest.set(message.id, message.rev);
  }
  return watcher.heard.map((h) => h.message);
}

describe("a client that was away", () => {
  test("while three people send, edit, delete and react, a client that rejoins with after and since ends with exactly the state of GET /messages", () => awayAndBack([server]));

  test("live, a second client hears each message once as newMessage in seq order, then its changes: on one instance, every rev in order", async () => {
    // A send's batch and an edit's transaction report their commits in either order; the feed puts them back in rev order.
    expect((await liveInRevOrder([server])).map((m) => m.rev)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });
});

describe.skipIf(!databaseUrl || !redisUrl)("changes across instances", () => {
  let peer: TestServer;
  beforeAll(async () => {
    peer = await startPeer(server);
  });
  afterAll(() => stopServer(peer));

  test("people on two instances send, edit, delete and react while a client is away; it rejoins on the other instance and ends with exactly GET /messages", () =>
    awayAndBack([server, peer]));

  test("a client on one instance hears the changes made on both: each message once as newMessage in seq order, then its changes in rev order", () =>
    liveInRevOrder([server, peer]));
});

describe("messageUpdated from the server to every socket", () => {
  test("is also sent to the socket whose change it is", async () => {
    const room = await watercooler();
    const message = await post(alice, room, "mine");
    const own = await listener(alice, room);
    const heard = next(own.socket, "messageUpdated");
    await own.socket.emitWithAck("editMessage", { messageId: message.id, content: "mine, edited" });
    expect(await heard).toMatchObject({ id: message.id, content: "mine, edited" });
  });
});
