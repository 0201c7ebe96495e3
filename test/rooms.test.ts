// Rooms and membership, seen by real clients over HTTP and Socket.IO: who owns a room, who
// may see, join, leave, invite and remove, and that a private room is invisible to outsiders.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  api,
  type ChatSocket,
  closeSockets,
  connect,
  createRoom,
  error,
  flush,
  ISO,
  inbox,
  invite,
  next,
  type Person,
  people,
  reply,
  signUp,
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
  await signUp(server, "root"); // the first account, the site admin: nobody below may manage others' rooms
  [alice, bob, carol, mallory] = await people(server, "alice", "bob", "carol", "mallory");
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

async function memberNames(room: { id: string }, asker: Person = alice): Promise<string[]> {
  const members = await api(server, "GET", `/rooms/${room.id}/members`, undefined, asker.token);
  return members.body.map((m: { username: string }) => m.username);
}

async function visibleRoomIds(person: Person): Promise<string[]> {
  const rooms = await api(server, "GET", "/rooms", undefined, person.token);
  expect(rooms.status).toBe(200);
  return rooms.body.map((r: { id: string }) => r.id);
}

/** A socket of `person`, joined to the room. */
async function joinedSocket(person: Person, room: { id: string }): Promise<ChatSocket> {
  const socket = await connect(server, person.token);
  expect(await socket.emitWithAck("joinRoom", { roomId: room.id })).toEqual({ roomId: room.id, userId: person.id });
  return socket;
}

/** A snapshot with some of its counts moved by the given amounts (the counts come as strings). */
function plus(counts: Record<string, unknown> | undefined, deltas: Record<string, number>) {
  return { ...counts, ...Object.fromEntries(Object.entries(deltas).map(([table, delta]) => [table, String(Number(counts?.[table]) + delta)])) };
}

/** The status and body of a request, as the two things an outsider can compare. */
async function answer(method: string, path: string, body: unknown, person: Person) {
  const response = await api(server, method, path, body, person.token);
  return { status: response.status, body: response.body };
}

describe("creating a room", () => {
  test("a new room is public by default, and its creator is its owner and first member", async () => {
    const created = await api(server, "POST", "/rooms", { name: "watercooler" }, alice.token);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(UUID),
      name: "watercooler",
      isPrivate: false,
      ownerId: alice.id,
      createdAt: expect.stringMatching(ISO),
      kind: "room",
      topic: null,
      archivedAt: null,
    });

    const members = await api(server, "GET", `/rooms/${created.body.id}/members`, undefined, alice.token);
    expect(members.status).toBe(200);
    expect(members.body).toEqual([
      { userId: alice.id, username: "alice", isOwner: true, joinedAt: expect.stringMatching(ISO), lastReadSeq: 0, avatarUrl: `/users/${alice.id}/avatar`, online: false },
    ]);

    const fetched = await api(server, "GET", `/rooms/${created.body.id}`, undefined, alice.token);
    expect(reply(fetched)).toEqual({ status: 200, body: created.body });
  });

  test("a room may be created private, and its creator owns it too", async () => {
    const created = await api(server, "POST", "/rooms", { name: "back office", isPrivate: true }, bob.token);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(UUID),
      name: "back office",
      isPrivate: true,
      ownerId: bob.id,
      createdAt: expect.stringMatching(ISO),
      kind: "room",
      topic: null,
      archivedAt: null,
    });
    expect(await memberNames(created.body, bob)).toEqual(["bob"]);
  });

  test("a name of exactly 80 characters is accepted", async () => {
    const name = "w".repeat(80);
    const created = await api(server, "POST", "/rooms", { name }, alice.token);
    expect(created.status).toBe(201);
    expect(created.body.name).toBe(name);
  });

  test("a blank, empty, missing, non-string or too-long name is refused with 400 and creates nothing", async () => {
    const before = await snapshot(server);
    for (const body of [{ name: "" }, { name: "   " }, { name: "\t\n " }, { name: "w".repeat(81) }, {}, { name: 42 }, { name: "ok", isPrivate: "yes" }]) {
      const refused = await api(server, "POST", "/rooms", body, alice.token);
      expect({ body, status: refused.status }).toEqual({ body, status: 400 });
      expect(refused.body).toEqual(error("invalid_input"));
    }
    expect(await snapshot(server)).toEqual(before);
  });

  test("a room cannot be created without signing in", async () => {
    const before = await snapshot(server);
    const refused = await api(server, "POST", "/rooms", { name: "anonymous" });
    expect(reply(refused)).toEqual({ status: 401, body: error("missing_token") });
    expect(await snapshot(server)).toEqual(before);
  });
});

describe("listing rooms", () => {
  test("GET /rooms lists every public room and only the private rooms the caller is a member of", async () => {
    const lobby = await createRoom(server, alice, "lobby");
    const alicesSecret = await createRoom(server, alice, "alice's diary", true);
    const bobsSecret = await createRoom(server, bob, "bob's club", true);
    const bobsPublic = await createRoom(server, bob, "bob's stage");
    await invite(server, bobsSecret, bob, carol);

    const listed = await api(server, "GET", "/rooms", undefined, carol.token);
    expect(listed.status).toBe(200);
    const ids: string[] = listed.body.map((r: { id: string }) => r.id);
    expect(ids).toContain(lobby.id);
    expect(ids).toContain(bobsPublic.id);
    expect(ids).toContain(bobsSecret.id);
    expect(ids).not.toContain(alicesSecret.id);
    expect(listed.body.find((r: { id: string }) => r.id === bobsSecret.id)).toEqual({
      ...bobsSecret,
      isMember: true,
      lastSeq: 0,
      lastReadSeq: 0,
      unreadCount: 0,
      mentionCount: 0,
      notify: "all",
    });
    expect(listed.body.find((r: { id: string }) => r.id === lobby.id)).toEqual({ ...lobby, isMember: false });

    // Exactly: every public room in the database, and the private ones carol belongs to.
    const publicIds = (await server.sql`select id from rooms where not is_private`).map((r) => r.id as string);
    const carolsPrivateIds = (await server.sql`select r.id from rooms r join memberships m on m.room_id = r.id where r.is_private and m.user_id = ${carol.id}`).map(
      (r) => r.id as string,
    );
    expect(new Set(ids)).toEqual(new Set([...publicIds, ...carolsPrivateIds]));
    expect(ids.length).toBe(new Set(ids).size);
  });

  test("GET /rooms never shows another person's private room", async () => {
    const hidden = await createRoom(server, alice, "surprise party", true);
    await invite(server, hidden, alice, bob);
    expect(await visibleRoomIds(alice)).toContain(hidden.id);
    expect(await visibleRoomIds(bob)).toContain(hidden.id);
    expect(await visibleRoomIds(mallory)).not.toContain(hidden.id);
    const listed = await api(server, "GET", "/rooms", undefined, mallory.token);
    for (const room of listed.body as { isPrivate: boolean; id: string }[]) {
      if (room.isPrivate) expect(await memberNames(room, mallory)).toContain("mallory");
    }
  });
});

describe("one room", () => {
  test("a public room is visible to anyone signed in, a private one to its members", async () => {
    const open = await createRoom(server, alice, "town square");
    const closed = await createRoom(server, alice, "vault", true);
    await invite(server, closed, alice, bob);
    expect(reply(await api(server, "GET", `/rooms/${open.id}`, undefined, mallory.token))).toEqual({ status: 200, body: open });
    expect(reply(await api(server, "GET", `/rooms/${closed.id}`, undefined, bob.token))).toEqual({ status: 200, body: closed });
    expect(reply(await api(server, "GET", `/rooms/${closed.id}`, undefined, alice.token))).toEqual({ status: 200, body: closed });
  });

  test("a private room answers an outsider exactly like a room that does not exist", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    const hidden = await answer("GET", `/rooms/${closed.id}`, undefined, mallory);
    const nowhere = await answer("GET", `/rooms/${crypto.randomUUID()}`, undefined, mallory);
    expect(hidden).toEqual({ status: 404, body: error("room_not_found") });
    expect(hidden).toEqual(nowhere);
  });

  test("a malformed room id is refused with 400 on every room endpoint", async () => {
    const before = await snapshot(server);
    for (const [method, path, body] of [
      ["GET", "/rooms/not-a-uuid", undefined],
      ["POST", "/rooms/not-a-uuid/join", undefined],
      ["POST", "/rooms/not-a-uuid/leave", undefined],
      ["GET", "/rooms/not-a-uuid/members", undefined],
      ["POST", "/rooms/not-a-uuid/invites", { username: "bob" }],
      ["DELETE", `/rooms/not-a-uuid/members/${bob.id}`, undefined],
    ] as const) {
      const refused = await answer(method, path, body, alice);
      expect({ method, path, ...refused }).toEqual({ method, path, status: 400, body: error("invalid_input") });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  test("to an outsider, every endpoint of a private room answers exactly like a room that does not exist, and nothing changes", async () => {
    const closed = await createRoom(server, alice, "war room", true);
    await invite(server, closed, alice, bob);
    const posted = await api(server, "POST", "/messages", { roomId: closed.id, content: "the plan" }, alice.token);
    expect(posted.status).toBe(201);

    const requests = (roomId: string): [string, string, unknown][] => [
      ["GET", `/rooms/${roomId}`, undefined],
      ["POST", `/rooms/${roomId}/join`, undefined],
      ["POST", `/rooms/${roomId}/leave`, undefined],
      ["GET", `/rooms/${roomId}/members`, undefined],
      ["POST", `/rooms/${roomId}/invites`, { username: "mallory" }],
      ["POST", `/rooms/${roomId}/invites`, { username: "carol" }],
      ["DELETE", `/rooms/${roomId}/members/${bob.id}`, undefined],
      ["DELETE", `/rooms/${roomId}/members/${mallory.id}`, undefined],
      ["GET", `/messages/${roomId}`, undefined],
      ["GET", `/messages/${roomId}?after=0`, undefined],
      ["POST", "/messages", { roomId, content: "let me in" }],
      ["POST", "/messages", { roomId, content: "let me in", senderId: mallory.id, clientId: "mallory-1" }],
    ];
    const ghost = crypto.randomUUID();
    const before = await snapshot(server);
    const real = requests(closed.id);
    const fake = requests(ghost);
    for (const [i, [method, path, body]] of real.entries()) {
      const hidden = await answer(method, path, body, mallory);
      const [, ghostPath, ghostBody] = fake[i]!;
      const nowhere = await answer(method, ghostPath, ghostBody, mallory);
      expect({ method, path, ...hidden }).toEqual({ method, path, status: 404, body: error("room_not_found") });
      expect(hidden).toEqual(nowhere);
    }
    expect(await snapshot(server)).toEqual(before);
    expect(await memberNames(closed)).toEqual(["alice", "bob"]);
    const history = await api(server, "GET", `/messages/${closed.id}`, undefined, alice.token);
    expect(history.body).toEqual([posted.body]);
  });
});

describe("joining", () => {
  test("anyone signed in may join a public room, and joining twice is fine", async () => {
    const open = await createRoom(server, alice, "watercooler");
    const before = await snapshot(server);
    const joined = await api(server, "POST", `/rooms/${open.id}/join`, undefined, bob.token);
    expect(reply(joined)).toEqual({ status: 200, body: { roomId: open.id, userId: bob.id } });
    const again = await api(server, "POST", `/rooms/${open.id}/join`, undefined, bob.token);
    expect(reply(again)).toEqual({ status: 200, body: { roomId: open.id, userId: bob.id } });
    expect(await memberNames(open)).toEqual(["alice", "bob"]);
    expect(await snapshot(server)).toEqual(plus(before, { memberships: 1 }));
  });

  test("a private room may be joined by its members, and by nobody else", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    await invite(server, closed, alice, bob);
    expect(reply(await api(server, "POST", `/rooms/${closed.id}/join`, undefined, bob.token))).toEqual({ status: 200, body: { roomId: closed.id, userId: bob.id } });
    expect(reply(await api(server, "POST", `/rooms/${closed.id}/join`, undefined, alice.token))).toEqual({ status: 200, body: { roomId: closed.id, userId: alice.id } });

    const before = await snapshot(server);
    const refused = await api(server, "POST", `/rooms/${closed.id}/join`, undefined, mallory.token);
    expect(reply(refused)).toEqual({ status: 404, body: error("room_not_found") });
    expect(await snapshot(server)).toEqual(before);
    expect(await memberNames(closed)).toEqual(["alice", "bob"]);
  });

  test("a room that does not exist cannot be joined", async () => {
    const before = await snapshot(server);
    const refused = await api(server, "POST", `/rooms/${crypto.randomUUID()}/join`, undefined, bob.token);
    expect(reply(refused)).toEqual({ status: 404, body: error("room_not_found") });
    expect(await snapshot(server)).toEqual(before);
  });
});

describe("leaving", () => {
  test("a member who leaves a public room can no longer post to it", async () => {
    const open = await createRoom(server, alice, "watercooler");
    await api(server, "POST", `/rooms/${open.id}/join`, undefined, bob.token);
    expect((await api(server, "POST", "/messages", { roomId: open.id, content: "hello" }, bob.token)).status).toBe(201);

    const left = await api(server, "POST", `/rooms/${open.id}/leave`, undefined, bob.token);
    expect(reply(left)).toEqual({ status: 200, body: { roomId: open.id, userId: bob.id } });
    expect(await memberNames(open)).toEqual(["alice"]);

    const before = await snapshot(server);
    const refused = await api(server, "POST", "/messages", { roomId: open.id, content: "still here?" }, bob.token);
    expect(reply(refused)).toEqual({ status: 403, body: error("not_a_member") });
    expect(await snapshot(server)).toEqual(before);
  });

  test("a member who leaves a private room loses sight of it", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    await invite(server, closed, alice, bob);
    expect(reply(await api(server, "POST", `/rooms/${closed.id}/leave`, undefined, bob.token))).toEqual({ status: 200, body: { roomId: closed.id, userId: bob.id } });
    expect(await answer("GET", `/rooms/${closed.id}`, undefined, bob)).toEqual(await answer("GET", `/rooms/${crypto.randomUUID()}`, undefined, bob));
    expect(await visibleRoomIds(bob)).not.toContain(closed.id);
    expect(await memberNames(closed)).toEqual(["alice"]);
  });

  test("an owner who leaves hands the room to the member who joined earliest, and the last one out leaves it with no owner", async () => {
    const open = await createRoom(server, alice, "watercooler");
    await api(server, "POST", `/rooms/${open.id}/join`, undefined, bob.token);
    await api(server, "POST", `/rooms/${open.id}/join`, undefined, carol.token);

    expect(reply(await api(server, "POST", `/rooms/${open.id}/leave`, undefined, alice.token))).toEqual({ status: 200, body: { roomId: open.id, userId: alice.id } });
    expect((await api(server, "GET", `/rooms/${open.id}`, undefined, carol.token)).body.ownerId).toBe(bob.id);
    expect(await memberNames(open, bob)).toEqual(["bob", "carol"]);

    const bobSocket = await joinedSocket(bob, open);
    expect(await bobSocket.emitWithAck("leaveRoom", { roomId: open.id })).toEqual({ roomId: open.id, userId: bob.id });
    expect((await api(server, "GET", `/rooms/${open.id}`, undefined, carol.token)).body.ownerId).toBe(carol.id);

    await api(server, "POST", `/rooms/${open.id}/leave`, undefined, carol.token);
    expect((await api(server, "GET", `/rooms/${open.id}`, undefined, carol.token)).body.ownerId).toBeNull();
  });

  test("leaving over REST takes every live socket of the leaver out of the room", async () => {
    const open = await createRoom(server, alice, "watercooler");
    await api(server, "POST", `/rooms/${open.id}/join`, undefined, bob.token);
    const aliceSocket = await joinedSocket(alice, open);
    const bobSockets = [await joinedSocket(bob, open), await joinedSocket(bob, open)];
    const aliceHears = inbox(aliceSocket);
    const bobHears = bobSockets.map(inbox);

    // Before leaving, bob's sockets do hear the room: the silence below means something.
    await aliceSocket.emitWithAck("sendMessage", { roomId: open.id, content: "before" });
    await Promise.all(bobHears.map((h) => h.until(1)));

    expect((await api(server, "POST", `/rooms/${open.id}/leave`, undefined, bob.token)).status).toBe(200);
    await aliceSocket.emitWithAck("sendMessage", { roomId: open.id, content: "after" });
    await aliceHears.until(2);
    await Promise.all(bobSockets.map(flush));
    expect(aliceHears.messages.map((m) => m.content)).toEqual(["before", "after"]);
    for (const hears of bobHears) expect(hears.messages.map((m) => m.content)).toEqual(["before"]);
  });
});

describe("invites", () => {
  test("the owner invites by username, in any letter case, and gets the new member back", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    const invited = await api(server, "POST", `/rooms/${closed.id}/invites`, { username: "BoB" }, alice.token);
    expect(invited.status).toBe(201);
    expect(invited.body).toEqual({ userId: bob.id, username: "bob", isOwner: false, joinedAt: expect.stringMatching(ISO), lastReadSeq: 0, avatarUrl: `/users/${bob.id}/avatar` });
    const members = await api(server, "GET", `/rooms/${closed.id}/members`, undefined, alice.token);
    expect(members.body).toEqual([
      { userId: alice.id, username: "alice", isOwner: true, joinedAt: expect.stringMatching(ISO), lastReadSeq: 0, avatarUrl: `/users/${alice.id}/avatar`, online: false },
      { ...invited.body, online: false },
    ]);
  });

  test("an invited member sees the private room, reads it, posts to it and joins it on the socket", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    const first = await api(server, "POST", "/messages", { roomId: closed.id, content: "welcome" }, alice.token);
    await invite(server, closed, alice, bob);

    expect(await visibleRoomIds(bob)).toContain(closed.id);
    expect(reply(await api(server, "GET", `/rooms/${closed.id}`, undefined, bob.token))).toEqual({ status: 200, body: closed });
    const history = await api(server, "GET", `/messages/${closed.id}`, undefined, bob.token);
    expect(reply(history)).toEqual({ status: 200, body: [first.body] });

    const bobSocket = await joinedSocket(bob, closed);
    const bobHears = inbox(bobSocket);
    const posted = await api(server, "POST", "/messages", { roomId: closed.id, content: "thanks!" }, bob.token);
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ roomId: closed.id, senderId: bob.id, content: "thanks!", seq: 2 });
    expect(await bobHears.until(1)).toEqual([posted.body]);
  });

  test("a member who is not the owner cannot invite, and nothing changes", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    await invite(server, closed, alice, bob);
    const before = await snapshot(server);
    const refused = await api(server, "POST", `/rooms/${closed.id}/invites`, { username: "mallory" }, bob.token);
    expect(reply(refused)).toEqual({ status: 403, body: error("not_the_owner") });
    expect(await snapshot(server)).toEqual(before);
    expect(await memberNames(closed)).toEqual(["alice", "bob"]);
    expect(await visibleRoomIds(mallory)).not.toContain(closed.id);
  });

  test("nobody but the owner may invite to a public room either", async () => {
    const open = await createRoom(server, alice, "watercooler");
    const before = await snapshot(server);
    const refused = await api(server, "POST", `/rooms/${open.id}/invites`, { username: "mallory" }, mallory.token);
    expect(reply(refused)).toEqual({ status: 403, body: error("not_the_owner") });
    expect(await snapshot(server)).toEqual(before);
  });

  test("inviting a username nobody has is 404 user_not_found, and nothing changes", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    const before = await snapshot(server);
    const refused = await api(server, "POST", `/rooms/${closed.id}/invites`, { username: "nobody_at_all" }, alice.token);
    expect(reply(refused)).toEqual({ status: 404, body: error("user_not_found") });
    expect(await snapshot(server)).toEqual(before);
    expect(await memberNames(closed)).toEqual(["alice"]);
  });

  test("inviting someone who is already a member is fine and changes nothing", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    const first = await invite(server, closed, alice, bob);
    const before = await snapshot(server);
    const again = await api(server, "POST", `/rooms/${closed.id}/invites`, { username: "bob" }, alice.token);
    expect(reply(again)).toEqual({ status: 201, body: first });
    expect(await snapshot(server)).toEqual(before);
    expect(await memberNames(closed)).toEqual(["alice", "bob"]);
  });
});

describe("removing members", () => {
  test("the owner removes a member with 204, and the private room then answers them like no room at all", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    await invite(server, closed, alice, bob);
    await invite(server, closed, alice, carol);
    const before = await snapshot(server);

    const removed = await api(server, "DELETE", `/rooms/${closed.id}/members/${bob.id}`, undefined, alice.token);
    expect(removed.status).toBe(204);
    expect(removed.body).toBeUndefined();
    expect(await snapshot(server)).toEqual(plus(before, { memberships: -1 }));
    expect(await memberNames(closed)).toEqual(["alice", "carol"]);

    const ghost = crypto.randomUUID();
    expect(await answer("GET", `/rooms/${closed.id}`, undefined, bob)).toEqual({ status: 404, body: error("room_not_found") });
    expect(await answer("GET", `/rooms/${closed.id}`, undefined, bob)).toEqual(await answer("GET", `/rooms/${ghost}`, undefined, bob));
    expect(await answer("GET", `/messages/${closed.id}`, undefined, bob)).toEqual(await answer("GET", `/messages/${ghost}`, undefined, bob));
    expect(await answer("POST", `/rooms/${closed.id}/join`, undefined, bob)).toEqual(await answer("POST", `/rooms/${ghost}/join`, undefined, bob));
    expect(await visibleRoomIds(bob)).not.toContain(closed.id);
  });

  test("a removed member's live sockets stop receiving the room's messages at once, while other members still do", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    await invite(server, closed, alice, bob);
    await invite(server, closed, alice, carol);
    const aliceSocket = await joinedSocket(alice, closed);
    const carolSocket = await joinedSocket(carol, closed);
    const bobSockets = [await joinedSocket(bob, closed), await joinedSocket(bob, closed)];
    const carolHears = inbox(carolSocket);
    const bobHears = bobSockets.map(inbox);

    // Before the removal, bob's sockets do hear the room: the silence below means something.
    await aliceSocket.emitWithAck("sendMessage", { roomId: closed.id, content: "before" });
    await Promise.all(bobHears.map((h) => h.until(1)));

    expect((await api(server, "DELETE", `/rooms/${closed.id}/members/${bob.id}`, undefined, alice.token)).status).toBe(204);
    await aliceSocket.emitWithAck("sendMessage", { roomId: closed.id, content: "after" });
    await carolHears.until(2);
    await Promise.all(bobSockets.map(flush));
    expect(carolHears.messages.map((m) => m.content)).toEqual(["before", "after"]);
    for (const hears of bobHears) expect(hears.messages.map((m) => m.content)).toEqual(["before"]);

    // Nor can the removed member's socket get back in or post.
    const [bobSocket] = bobSockets;
    expect(await bobSocket!.emitWithAck("joinRoom", { roomId: closed.id })).toEqual(error("room_not_found"));
    expect(await bobSocket!.emitWithAck("sendMessage", { roomId: closed.id, content: "hello?" })).toEqual(error("room_not_found"));
  });

  test("a member who is not the owner cannot remove anyone, and nothing changes", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    await invite(server, closed, alice, bob);
    await invite(server, closed, alice, carol);
    const open = await createRoom(server, alice, "watercooler");
    await api(server, "POST", `/rooms/${open.id}/join`, undefined, bob.token);
    const before = await snapshot(server);

    for (const [room, remover, target] of [
      [closed, bob, carol],
      [closed, bob, alice],
      [closed, carol, carol],
      [open, bob, alice],
      [open, mallory, bob],
    ] as const) {
      const refused = await api(server, "DELETE", `/rooms/${room.id}/members/${target.id}`, undefined, remover.token);
      expect({ remover: remover.username, target: target.username, status: refused.status, body: refused.body }).toEqual({
        remover: remover.username,
        target: target.username,
        status: 403,
        body: error("not_the_owner"),
      });
    }
    expect(await snapshot(server)).toEqual(before);
    expect(await memberNames(closed)).toEqual(["alice", "bob", "carol"]);
    expect(await memberNames(open)).toEqual(["alice", "bob"]);
  });

  test("removing someone who is not a member is 404 member_not_found", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    await invite(server, closed, alice, bob);
    const before = await snapshot(server);
    for (const userId of [mallory.id, crypto.randomUUID()]) {
      const refused = await api(server, "DELETE", `/rooms/${closed.id}/members/${userId}`, undefined, alice.token);
      expect(reply(refused)).toEqual({ status: 404, body: error("member_not_found") });
    }
    expect(await snapshot(server)).toEqual(before);
    expect(await memberNames(closed)).toEqual(["alice", "bob"]);
  });

  test("a malformed member id is refused with 400", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    const refused = await api(server, "DELETE", `/rooms/${closed.id}/members/not-a-uuid`, undefined, alice.token);
    expect(reply(refused)).toEqual({ status: 400, body: error("invalid_input") });
  });

  test("an owner who removes themselves has left, and the room passes to the next member", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    await invite(server, closed, alice, bob);
    const removed = await api(server, "DELETE", `/rooms/${closed.id}/members/${alice.id}`, undefined, alice.token);
    expect(removed.status).toBe(204);
    expect(await memberNames(closed, bob)).toEqual(["bob"]);
    expect((await api(server, "GET", `/rooms/${closed.id}`, undefined, bob.token)).body.ownerId).toBe(bob.id);
    expect((await api(server, "GET", `/rooms/${closed.id}`, undefined, alice.token)).status).toBe(404);
  });

  test("every socket of a removed member hears roomLeft with the reason removed, joined to the room or not", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    await invite(server, closed, alice, bob);
    const [inRoom, elsewhere] = [await joinedSocket(bob, closed), await connect(server, bob.token)];
    const told = [next(inRoom, "roomLeft"), next(elsewhere, "roomLeft")];
    await api(server, "DELETE", `/rooms/${closed.id}/members/${bob.id}`, undefined, alice.token);
    expect(await Promise.all(told)).toEqual(Array(2).fill({ roomId: closed.id, userId: bob.id, reason: "removed" }));
  });
});

describe("members", () => {
  test("GET /rooms/:roomId/members lists every member with their username, the owner marked", async () => {
    const closed = await createRoom(server, alice, "vault", true);
    const bobInvited = await invite(server, closed, alice, bob);
    const carolInvited = await invite(server, closed, alice, carol);
    const members = await api(server, "GET", `/rooms/${closed.id}/members`, undefined, carol.token);
    expect(members.status).toBe(200);
    expect(members.body).toEqual([
      { userId: alice.id, username: "alice", isOwner: true, joinedAt: expect.stringMatching(ISO), lastReadSeq: 0, avatarUrl: `/users/${alice.id}/avatar`, online: false },
      { ...bobInvited, online: false },
      { ...carolInvited, online: false },
    ]);
  });

  test("members who joined a public room are listed, and anyone signed in may see the list", async () => {
    const open = await createRoom(server, bob, "stage");
    await api(server, "POST", `/rooms/${open.id}/join`, undefined, carol.token);
    const members = await api(server, "GET", `/rooms/${open.id}/members`, undefined, mallory.token);
    expect(members.status).toBe(200);
    expect(members.body).toEqual([
      { userId: bob.id, username: "bob", isOwner: true, joinedAt: expect.stringMatching(ISO), lastReadSeq: 0, avatarUrl: `/users/${bob.id}/avatar`, online: false },
      { userId: carol.id, username: "carol", isOwner: false, joinedAt: expect.stringMatching(ISO), lastReadSeq: 0, avatarUrl: `/users/${carol.id}/avatar`, online: false },
    ]);
  });
});
