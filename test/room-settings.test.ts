// Room settings, seen by real clients over HTTP and Socket.IO: who may rename a room, set its
// topic and archive it (its owner, any site admin, nobody else), what an archived room still
// allows (reading) and refuses (every write, REST and socket alike), that it leaves every list,
// that members hear each change live (on another instance too), and names that cannot lie.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { getPage, post, signInBrowser } from "./browser";
import {
  api,
  type ChatSocket,
  closeSockets,
  connect,
  createRoom,
  databaseUrl,
  error,
  ISO,
  invite,
  next,
  type Person,
  people,
  redisUrl,
  reply,
  signUp,
  snapshot,
  startPeer,
  startServer,
  stopServer,
  type TestServer,
} from "./harness";

let server: TestServer;
let root: Person, alice: Person, bob: Person, mallory: Person;

beforeAll(async () => {
  server = await startServer();
  root = await signUp(server, "root"); // the first account: the site admin
  [alice, bob, mallory] = await people(server, "alice", "bob", "mallory");
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

const patch = (person: Person, room: { id: string }, body: unknown) => api(server, "PATCH", `/rooms/${room.id}`, body, person.token);
const archive = (person: Person, room: { id: string }) => api(server, "DELETE", `/rooms/${room.id}`, undefined, person.token);
const listedIds = async (person: Person) => (await api(server, "GET", "/rooms", undefined, person.token)).body.map((r: { id: string }) => r.id);

async function joined(person: Person, room: { id: string }): Promise<ChatSocket> {
  const socket = await connect(server, person.token);
  expect(await socket.emitWithAck("joinRoom", { roomId: room.id })).toEqual({ roomId: room.id, userId: person.id });
  return socket;
}

describe("name and topic", () => {
  test("the owner renames a room and sets its topic; the room object carries both everywhere", async () => {
    const room = await createRoom(server, alice, "kitchen");
    expect(room).toMatchObject({ topic: null, archivedAt: null });

    const changed = await patch(alice, room, { name: "  Kitchen talk  ", topic: "  recipes, and who took my yoghurt " });
    expect(reply(changed)).toEqual({
      status: 200,
      body: {
        id: room.id,
        name: "Kitchen talk",
        isPrivate: false,
        ownerId: alice.id,
        createdAt: room.createdAt,
        kind: "room",
        topic: "recipes, and who took my yoghurt",
        archivedAt: null,
      },
    });
    expect((await api(server, "GET", `/rooms/${room.id}`, undefined, bob.token)).body).toEqual(changed.body);
    const listed = (await api(server, "GET", "/rooms", undefined, bob.token)).body.find((r: { id: string }) => r.id === room.id);
    expect(listed).toMatchObject({ name: "Kitchen talk", topic: "recipes, and who took my yoghurt" });
  });

  test("what is left out stays, a blank topic clears it, and the same values again change nothing", async () => {
    const room = await createRoom(server, alice, "garden");
    await patch(alice, room, { topic: "tomatoes" });
    expect((await patch(alice, room, { name: "allotment" })).body).toMatchObject({ name: "allotment", topic: "tomatoes" });
    expect((await patch(alice, room, { topic: "   " })).body).toMatchObject({ name: "allotment", topic: null });
    await patch(alice, room, { topic: "beans" });
    expect((await patch(alice, room, { topic: null })).body).toMatchObject({ topic: null });

    const socket = await joined(alice, room);
    let heard = 0;
    socket.on("roomUpdated", () => heard++);
    expect(reply(await patch(alice, room, { name: "allotment" }))).toEqual({ status: 200, body: expect.objectContaining({ name: "allotment" }) });
    expect(reply(await patch(alice, room, {}))).toEqual({ status: 200, body: expect.objectContaining({ name: "allotment" }) });
    // A change after the two no-ops: the only roomUpdated the socket hears is this one's.
    const update = next(socket, "roomUpdated");
    await patch(alice, room, { topic: "peas" });
    expect((await update).room.topic).toBe("peas");
    expect(heard).toBe(1);
  });

  test("a member who does not own the room, or an outsider, may not change it; nothing changes", async () => {
    const room = await createRoom(server, alice, "bakery");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const before = await snapshot(server);
    expect(reply(await patch(bob, room, { name: "bob's bakery" }))).toEqual({ status: 403, body: error("not_the_owner") });
    expect(reply(await patch(mallory, room, { topic: "spam" }))).toEqual({ status: 403, body: error("not_the_owner") });
    expect(reply(await archive(bob, room))).toEqual({ status: 403, body: error("not_the_owner") });
    expect(reply(await archive(mallory, room))).toEqual({ status: 403, body: error("not_the_owner") });
    expect(await snapshot(server)).toEqual(before);
    expect((await api(server, "GET", `/rooms/${room.id}`, undefined, bob.token)).body).toMatchObject({ name: "bakery", topic: null, archivedAt: null });
  });

  test("a private room answers a non-member as if it did not exist, admins included", async () => {
    const secret = await createRoom(server, alice, "secret garden", true);
    const missing = { id: crypto.randomUUID() };
    const notFound = reply(await patch(mallory, missing, { name: "x" }));
    expect(notFound).toEqual({ status: 404, body: error("room_not_found") });
    expect(reply(await patch(mallory, secret, { name: "x" }))).toEqual(notFound);
    expect(reply(await archive(mallory, secret))).toEqual(reply(await archive(mallory, missing)));
    expect(reply(await patch(root, secret, { name: "x" }))).toEqual(notFound);
  });

  test("a direct room has no settings: its members may not rename or archive it", async () => {
    const dm = (await api(server, "POST", "/dms", { username: "bob" }, alice.token)).body;
    expect(reply(await patch(alice, dm, { name: "us" }))).toEqual({ status: 403, body: error("not_the_owner") });
    expect(reply(await archive(bob, dm))).toEqual({ status: 403, body: error("not_the_owner") });
  });
});

describe("site admins manage any room they can see", () => {
  test("an admin renames, invites to, removes from and archives a room someone else owns", async () => {
    const room = await createRoom(server, alice, "alice's corner");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, mallory.token);
    expect((await patch(root, room, { name: "moderated corner", topic: "be kind" })).body).toMatchObject({ name: "moderated corner", topic: "be kind", ownerId: alice.id });
    expect((await api(server, "POST", `/rooms/${room.id}/invites`, { username: "bob" }, root.token)).status).toBe(201);
    expect((await api(server, "DELETE", `/rooms/${room.id}/members/${mallory.id}`, undefined, root.token)).status).toBe(204);
    const archived = await archive(root, room);
    expect(archived.status).toBe(200);
    expect(archived.body.archivedAt).toMatch(ISO);
  });

  test("a room whose owner left with nobody after them has no owner, and an admin still manages it", async () => {
    const room = await createRoom(server, alice, "abandoned");
    await api(server, "POST", `/rooms/${room.id}/leave`, undefined, alice.token);
    expect((await api(server, "GET", `/rooms/${room.id}`, undefined, bob.token)).body.ownerId).toBeNull();
    expect(reply(await patch(alice, room, { topic: "mine again?" }))).toEqual({ status: 403, body: error("not_the_owner") });
    expect((await patch(root, room, { topic: "adopted by the admins" })).body).toMatchObject({ ownerId: null, topic: "adopted by the admins" });
    expect((await archive(root, room)).status).toBe(200);
  });

  test("an admin may invite to and remove from a private room they are in but do not own", async () => {
    const club = await createRoom(server, alice, "club", true);
    await invite(server, club, alice, root);
    expect((await api(server, "POST", `/rooms/${club.id}/invites`, { username: "bob" }, root.token)).status).toBe(201);
    expect((await api(server, "DELETE", `/rooms/${club.id}/members/${bob.id}`, undefined, root.token)).status).toBe(204);
  });
});

describe("an archived room", () => {
  test("is read-only over REST and Socket.IO, with a clear code, and changes nothing", async () => {
    const room = await createRoom(server, alice, "old project");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const kept = (await api(server, "POST", "/messages", { roomId: room.id, content: "the last word" }, bob.token)).body;
    const socket = await joined(bob, room);
    const archived = await archive(alice, room);
    expect(archived.status).toBe(200);
    expect(reply(await archive(alice, room))).toEqual(reply(archived)); // again: nothing new

    const before = await snapshot(server);
    const refused = { status: 409, body: error("room_archived") };
    expect(reply(await api(server, "POST", "/messages", { roomId: room.id, content: "hello?" }, bob.token))).toEqual(refused);
    expect(reply(await api(server, "PATCH", `/messages/${kept.id}`, { content: "edited" }, bob.token))).toEqual(refused);
    expect(reply(await api(server, "DELETE", `/messages/${kept.id}`, undefined, bob.token))).toEqual(refused);
    expect(reply(await api(server, "PUT", `/messages/${kept.id}/reactions/${encodeURIComponent("👍")}`, undefined, alice.token))).toEqual(refused);
    expect(reply(await api(server, "POST", `/rooms/${room.id}/join`, undefined, mallory.token))).toEqual(refused);
    expect(reply(await api(server, "POST", `/rooms/${room.id}/invites`, { username: "mallory" }, alice.token))).toEqual(refused);
    expect(reply(await patch(alice, room, { name: "renamed" }))).toEqual(refused);

    const errors: unknown[] = [];
    socket.on("error", (e) => errors.push(e));
    expect(await socket.emitWithAck("sendMessage", { roomId: room.id, content: "over the socket" })).toEqual(error("room_archived"));
    expect(await socket.emitWithAck("editMessage", { messageId: kept.id, content: "edited" })).toEqual(error("room_archived"));
    expect(await socket.emitWithAck("deleteMessage", { messageId: kept.id })).toEqual(error("room_archived"));
    expect(await socket.emitWithAck("react", { messageId: kept.id, emoji: "🎉" })).toEqual(error("room_archived"));
    expect(errors).toEqual([error("room_archived"), error("room_archived"), error("room_archived"), error("room_archived")]);
    expect(await snapshot(server)).toEqual(before);
  });

  test("is hidden from lists but its members still read its history, over REST and by joining", async () => {
    const room = await createRoom(server, alice, "archive me");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    await api(server, "POST", "/messages", { roomId: room.id, content: "for the record" }, alice.token);
    expect(await listedIds(bob)).toContain(room.id);
    await archive(alice, room);
    for (const person of [alice, bob, mallory, root]) expect(await listedIds(person)).not.toContain(room.id);

    const history = await api(server, "GET", `/messages/${room.id}`, undefined, bob.token);
    expect(history.status).toBe(200);
    expect(history.body.map((m: { content: string }) => m.content)).toEqual(["for the record"]);
    expect((await api(server, "GET", `/rooms/${room.id}`, undefined, bob.token)).body.archivedAt).toMatch(ISO);
    const socket = await connect(server, bob.token);
    const replayed = next(socket, "newMessage");
    expect(await socket.emitWithAck("joinRoom", { roomId: room.id, after: 0 })).toEqual({ roomId: room.id, userId: bob.id });
    expect((await replayed).content).toBe("for the record");
    // Leaving is still fine: nobody is kept in an archived room.
    expect((await api(server, "POST", `/rooms/${room.id}/leave`, undefined, bob.token)).status).toBe(200);
  });
});

describe("live: roomUpdated", () => {
  test("every member's sockets hear a rename and an archive, joined to the room or not; outsiders hear nothing", async () => {
    const room = await createRoom(server, alice, "newsroom");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const inRoom = await joined(bob, room);
    const elsewhere = await connect(server, bob.token); // a page of another room: its sidebar lists this one
    const outsider = await connect(server, mallory.token);
    const heardByOutsider: unknown[] = [];
    outsider.on("roomUpdated", (update) => heardByOutsider.push(update));

    const renamed = [next(inRoom, "roomUpdated"), next(elsewhere, "roomUpdated")];
    const answer = await patch(alice, room, { name: "the newsroom", topic: "what's new" });
    for (const update of await Promise.all(renamed)) expect(update).toEqual({ room: answer.body });

    const archived = [next(inRoom, "roomUpdated"), next(elsewhere, "roomUpdated")];
    const gone = await archive(alice, room);
    for (const update of await Promise.all(archived)) expect(update).toEqual({ room: gone.body });
    await outsider.emitWithAck("leaveRoom", { roomId: "flush" });
    expect(heardByOutsider).toEqual([]);
  });
});

describe.skipIf(!databaseUrl || !redisUrl)("two instances", () => {
  let peer: TestServer;
  beforeAll(async () => {
    peer = await startPeer(server);
  });
  afterAll(() => stopServer(peer));

  test("a rename and an archive on one instance reach a member's socket on the other", async () => {
    const room = await createRoom(server, alice, "across");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const there = await connect(peer, bob.token);
    await there.emitWithAck("joinRoom", { roomId: room.id });
    const renamed = next(there, "roomUpdated");
    await patch(alice, room, { topic: "from the other side" });
    expect((await renamed).room).toMatchObject({ id: room.id, topic: "from the other side" });
    const archived = next(there, "roomUpdated");
    await archive(alice, room);
    expect((await archived).room.archivedAt).toMatch(ISO);
    expect(await there.emitWithAck("sendMessage", { roomId: room.id, content: "too late" })).toEqual(error("room_archived"));
  });
});

describe("names people can trust", () => {
  const tricks: [string, string][] = [
    ["a right-to-left override (U+202E)", "invoice\u202Etxt.exe"],
    ["a left-to-right embedding (U+202A)", "\u202Alobby"],
    ["a right-to-left isolate (U+2067)", "lobby\u2067x\u2069"],
    ["a left-to-right mark (U+200E)", "lobby\u200E"],
    ["a right-to-left mark (U+200F)", "lob\u200Fby"],
    ["an Arabic letter mark (U+061C)", "lobby\u061C"],
    ["a zero-width space (U+200B)", "lob\u200Bby"],
    ["a zero-width non-joiner (U+200C)", "lob\u200Cby"],
    ["a zero-width joiner (U+200D)", "lob\u200Dby"],
    ["a word joiner (U+2060)", "lob\u2060by"],
    ["a byte order mark (U+FEFF)", "\uFEFFlobby"],
    ["a soft hyphen (U+00AD, format)", "lob\u00ADby"],
    ["a tag character (U+E0041, format)", "lobby\u{E0041}"],
    ["a newline", "lobby\nadmins"],
    ["a tab", "lobby\tx"],
    ["a NUL", "lobby\u0000"],
    ["an escape (U+001B)", "lobby\u001B[31m"],
    ["a line separator (U+2028)", "lobby\u2028x"],
    ["only a Hangul filler (U+3164)", "\u3164"],
    ["only whitespace", " \u00A0\u3000 "],
  ];

  for (const [what, name] of tricks) {
    test(`a room name with ${what} is refused with 400 invalid_input, on create and rename`, async () => {
      const room = await createRoom(server, alice, "honest");
      const before = await snapshot(server);
      const created = await api(server, "POST", "/rooms", { name }, alice.token);
      expect(reply(created)).toEqual({ status: 400, body: error("invalid_input") });
      expect(created.body.message).toStartWith("name:");
      expect(reply(await patch(alice, room, { name }))).toEqual({ status: 400, body: error("invalid_input") });
      expect(await snapshot(server)).toEqual(before);
    });
  }

  test("a topic refuses direction-changing and control characters, but keeps emoji sequences", async () => {
    const room = await createRoom(server, alice, "topical");
    for (const topic of ["a\u202Eb", "a\nb", "a\u2066b", "x".repeat(251)]) {
      expect(reply(await patch(alice, room, { topic }))).toEqual({ status: 400, body: error("invalid_input") });
    }
    const family = "our 👨‍👩‍👧 room";
    expect((await patch(alice, room, { topic: family })).body.topic).toBe(family);
  });

  test("names in any script, with emoji and inner spaces, are fine, trimmed and in one Unicode spelling", async () => {
    for (const [given, stored] of [
      ["  café  ", "café"],
      ["cafe\u0301", "café"],
      ["Überraschung 🎉", "Überraschung 🎉"],
      ["日本語の部屋", "日本語の部屋"],
      ["عربي", "عربي"],
    ]) {
      expect((await api(server, "POST", "/rooms", { name: given }, alice.token)).body.name).toBe(stored!);
    }
  });

  test("two rooms may share a name (the API stays as it was); lists tell them apart by id, topic and owner", async () => {
    const first = await createRoom(server, alice, "general");
    const second = await createRoom(server, bob, "general");
    expect(second.id).not.toBe(first.id);
    const listed = (await api(server, "GET", "/rooms", undefined, mallory.token)).body.filter((r: { name: string }) => r.name === "general");
    expect(listed.map((r: { ownerId: string }) => r.ownerId).sort()).toEqual([alice.id, bob.id].sort());
  });

  test("usernames are plain ASCII: bidirectional, zero-width and other invisible characters are refused at registration", async () => {
    const before = await snapshot(server);
    for (const username of ["adm\u202Ein", "ali\u200Bce", "\uFEFFbob", "bob\u200D", "carol\u2066", "dave\n", " erin ", "fränk", "аlice" /* Cyrillic а */]) {
      const registered = await api(server, "POST", "/auth/register", { username, password: "correct horse battery" });
      expect(reply(registered)).toEqual({ status: 400, body: error("invalid_input") });
    }
    expect(await snapshot(server)).toEqual(before);
  });
});

describe("the pages", () => {
  test("the owner's room page links its settings, which rename it and set its topic; the header shows both", async () => {
    const room = await createRoom(server, alice, "pages");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const [aliceBrowser, bobBrowser] = await Promise.all([signInBrowser(server, "alice"), signInBrowser(server, "bob")]);
    expect(await (await getPage(aliceBrowser, `/chat/rooms/${room.id}`)).text()).toContain(`href="/chat/rooms/${room.id}/settings"`);
    expect(await (await getPage(bobBrowser, `/chat/rooms/${room.id}`)).text()).not.toContain(`href="/chat/rooms/${room.id}/settings"`);
    expect((await getPage(bobBrowser, `/chat/rooms/${room.id}/settings`)).status).toBe(403);

    const bad = await post(aliceBrowser, `/chat/rooms/${room.id}/settings`, { name: "bad\u202Ename", topic: "" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("without control, invisible or direction-changing characters");
    const saved = await post(aliceBrowser, `/chat/rooms/${room.id}/settings`, { name: "pages <b>", topic: "a <i>topic</i>" });
    expect(saved.status).toBe(303);
    const page = await (await getPage(bobBrowser, `/chat/rooms/${room.id}`)).text();
    expect(page).toContain(`<span id="room-name">pages &lt;b&gt;</span>`);
    expect(page).toContain(`>a &lt;i&gt;topic&lt;/i&gt;</p>`);
  });

  test("archiving from the UI asks on a page first; the archived room has no composer", async () => {
    const room = await createRoom(server, alice, "to archive");
    const aliceBrowser = await signInBrowser(server, "alice");
    expect(await (await getPage(aliceBrowser, `/chat/rooms/${room.id}/archive`)).text()).toContain("Archive to archive?");
    expect((await api(server, "GET", `/rooms/${room.id}`, undefined, alice.token)).body.archivedAt).toBeNull(); // asking changed nothing
    expect((await post(aliceBrowser, `/chat/rooms/${room.id}/archive`, {})).status).toBe(303);
    const page = await (await getPage(aliceBrowser, `/chat/rooms/${room.id}`)).text();
    expect(page).toContain("This room is archived");
    expect(page).not.toContain(`id="composer"`);
    expect(page).toContain(`data-live="false"`);
  });

  test("creating a room whose name is in sight asks first; confirmed, it is made", async () => {
    await createRoom(server, bob, "Standup");
    const aliceBrowser = await signInBrowser(server, "alice");
    const before = await snapshot(server);
    const asked = await post(aliceBrowser, "/chat/rooms", { name: " standup " }, { "hx-request": "true" });
    expect(asked.status).toBe(200);
    const form = await asked.text();
    expect(form).toContain("A room named “standup” already exists");
    expect(form).toContain("(by bob)");
    expect(form).toContain(`name="sameNameOk" value="true"`);
    expect(await snapshot(server)).toEqual(before);
    expect((await post(aliceBrowser, "/chat/rooms", { name: "standup", sameNameOk: "true" })).status).toBe(303);
  });
});
