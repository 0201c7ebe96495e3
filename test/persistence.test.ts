// What survives a restart: ChatLoop is stopped and started again on the same data dir (the
// embedded database) or the same PostgreSQL database, the way `bun start` boots each time,
// with the config read afresh and the JWT secret read back from the data dir.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, loadConfig } from "../src/config";
import type { Message } from "../src/messages/schemas";
import { startChatLoop } from "../src/server";
import { api, closeSockets, connect, createRoom, databaseUrl, inbox, type Person, people, type TestServer, testConfig, throwawayDatabase } from "./harness";

/** A data dir, and in PostgreSQL mode a database, that outlive any one server. */
interface Store {
  dataDir: string;
  databaseUrl?: string;
  remove(): Promise<void>;
}

async function freshStore(): Promise<Store> {
  const dataDir = mkdtempSync(join(tmpdir(), "chatloop-persistence-"));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (!databaseUrl) return { dataDir, remove: async () => removeDir() };
  const database = await throwawayDatabase();
  return {
    dataDir,
    databaseUrl: database.url,
    async remove() {
      await database.drop();
      removeDir();
    },
  };
}

async function boot(store: Store, overrides: Partial<Config> = {}): Promise<TestServer> {
  const { jwtSecret } = loadConfig({ DATA_DIR: store.dataDir });
  const config = testConfig({ dataDir: store.dataDir, databaseUrl: store.databaseUrl, jwtSecret, ...overrides });
  const chatloop = await startChatLoop(config);
  return { ...chatloop, base: chatloop.url.href.replace(/\/$/, ""), config };
}

let store: Store;
let server: TestServer;
let alice: Person, bob: Person;
let revokedToken: string;
type Room = Awaited<ReturnType<typeof createRoom>>;
let history: Room, counting: Room, catchUp: Room, hidden: Room;
/** What the server acknowledged before the restart, per room. */
const sent: Record<string, Message[]> = {};

beforeAll(async () => {
  store = await freshStore();
  const first = await boot(store);

  try {
    [alice, bob] = await people(first, "alice", "bob");
    [history, counting, catchUp, hidden] = [
      await createRoom(first, alice, "history"),
      await createRoom(first, alice, "counting"),
      await createRoom(first, alice, "catch-up"),
      await createRoom(first, alice, "hidden", true),
    ];
    await api(first, "POST", `/rooms/${history.id}/join`, undefined, bob.token);
    const second = await api(first, "POST", "/auth/login", { username: "bob", password: bob.password });
    revokedToken = second.body.token;
    expect((await api(first, "POST", "/auth/logout", undefined, revokedToken)).status).toBe(204);

    const socket = await connect(first, alice.token);
    for (const room of [history, counting, catchUp, hidden]) {
      await socket.emitWithAck("joinRoom", { roomId: room.id });
      sent[room.id] = [];
      for (let i = 1; i <= 3; i++) {
        const clientId = room === history && i === 2 ? "kept-across-restarts" : undefined;
        sent[room.id]!.push((await socket.emitWithAck("sendMessage", { roomId: room.id, content: `${room.name} ${i}`, clientId })) as Message);
      }
    }
  } finally {
    closeSockets();
    await first.stop();
  }

  server = await boot(store);
});
afterEach(closeSockets);
afterAll(async () => {
  closeSockets();
  await server?.stop();
  await store?.remove();
});

test("alice logs in again with the same password after a restart, and a wrong one is still refused", async () => {
  const login = await api(server, "POST", "/auth/login", { username: "alice", password: alice.password });
  expect(login.status).toBe(200);
  expect(login.body).toEqual({ token: expect.any(String) });
  const wrong = await api(server, "POST", "/auth/login", { username: "alice", password: "not her password" });
  expect(wrong).toMatchObject({ status: 401, body: { code: "invalid_credentials" } });
});

test("a username taken before a restart is still taken after it, whatever its case", async () => {
  const again = await api(server, "POST", "/auth/register", { username: "Alice", password: "another password" });
  expect(again).toMatchObject({ status: 409, body: { code: "username_taken", message: expect.any(String) } });
});

test("the history is the same after a restart: the same ids, contents, senders, seqs and timestamps", async () => {
  const after = await api(server, "GET", `/messages/${history.id}`, undefined, bob.token);
  expect(after.status).toBe(200);
  expect(after.body).toEqual(sent[history.id]);
  expect(after.body.map((m: Message) => m.seq)).toEqual([1, 2, 3]);
});

test("the next message after a restart continues at the next seq, with no gap and no reuse", async () => {
  const socket = await connect(server, alice.token);
  await socket.emitWithAck("joinRoom", { roomId: counting.id });
  const next = (await socket.emitWithAck("sendMessage", { roomId: counting.id, content: "counting 4" })) as Message;
  expect(next.seq).toBe(4);
  const overRest = await api(server, "POST", "/messages", { roomId: counting.id, content: "counting 5" }, alice.token);
  expect(overRest).toMatchObject({ status: 201, body: { seq: 5 } });

  const all = (await api(server, "GET", `/messages/${counting.id}`, undefined, alice.token)).body as Message[];
  expect(all.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  expect(all.slice(0, 3)).toEqual(sent[counting.id]!);
  expect(new Set(all.map((m) => m.id)).size).toBe(5);
  const [room] = await server.sql`select last_seq::int as last_seq from rooms where id = ${counting.id}`;
  expect(room!.last_seq).toBe(5);
});

test("a token issued before the restart still works, on REST and on the socket", async () => {
  const rooms = await api(server, "GET", "/rooms", undefined, alice.token);
  expect(rooms.status).toBe(200);
  const socket = await connect(server, alice.token);
  expect(socket.connected).toBe(true);
  const joined = await socket.emitWithAck("joinRoom", { roomId: history.id });
  expect(joined).toEqual({ roomId: history.id, userId: alice.id });
});

test("a token revoked before the restart stays revoked after it", async () => {
  const refused = await api(server, "GET", "/rooms", undefined, revokedToken);
  expect(refused).toMatchObject({ status: 401, body: { code: "invalid_token" } });
  await expect(connect(server, revokedToken)).rejects.toThrow(/invalid or has expired/);
});

test("the JWT secret is generated on the first start, kept in the data dir, and read back on restart", () => {
  const file = join(store.dataDir, "jwt-secret");
  expect(existsSync(file)).toBe(true);
  const kept = readFileSync(file, "utf8").trim();
  expect(kept.length).toBeGreaterThanOrEqual(32);
  expect(server.config.jwtSecret).toBe(kept);
});

test("a client that reconnects after the restart catches up from the last seq it saw, then hears live messages", async () => {
  const socket = await connect(server, bob.token);
  const hears = inbox(socket);
  await socket.emitWithAck("joinRoom", { roomId: catchUp.id, after: 1 });
  const live = await api(server, "POST", "/messages", { roomId: catchUp.id, content: "catch-up 4" }, alice.token);
  const heard = await hears.until(3);
  expect(heard).toEqual([...sent[catchUp.id]!.slice(1), live.body]);
  expect(heard.map((m) => m.seq)).toEqual([2, 3, 4]);
});

test("rooms, their privacy and their members survive a restart", async () => {
  const asBob = (await api(server, "GET", "/rooms", undefined, bob.token)).body as Room[];
  const asAlice = (await api(server, "GET", "/rooms", undefined, alice.token)).body as Room[];
  expect(asBob.map((r) => r.name)).toEqual(["history", "counting", "catch-up"]);
  expect(asAlice.map((r) => r.name)).toEqual(["history", "counting", "catch-up", "hidden"]);
  expect(asAlice.find((r) => r.name === "hidden")).toMatchObject({ ...hidden, isMember: true });
  expect((await api(server, "GET", `/messages/${hidden.id}`, undefined, bob.token)).status).toBe(404);
  const members = (await api(server, "GET", `/rooms/${history.id}/members`, undefined, bob.token)).body as { username: string; isOwner: boolean }[];
  expect(members.map((m) => [m.username, m.isOwner])).toEqual([
    ["alice", true],
    ["bob", false],
  ]);
});

test("a clientId used before the restart still finds its message after it, and stores no duplicate", async () => {
  const first = sent[history.id]![1]!;
  expect(first.clientId).toBe("kept-across-restarts");
  const retried = await api(server, "POST", "/messages", { roomId: history.id, content: first.content, clientId: "kept-across-restarts" }, alice.token);
  expect(retried).toMatchObject({ status: 200, body: first });
  const [count] = await server.sql`select count(*)::int as n from messages where room_id = ${history.id}`;
  expect(count!.n).toBe(3);
});

// Proof that the token test above can fail: the tokens are only good because the secret is kept.
test("a server restarted with another JWT secret refuses the tokens signed before", async () => {
  await server.stop();
  const other = await boot(store, { jwtSecret: "a-different-secret-that-is-long-enough-for-hs256" });
  try {
    const refused = await api(other, "GET", "/rooms", undefined, alice.token);
    expect(refused).toMatchObject({ status: 401, body: { code: "invalid_token" } });
  } finally {
    await other.stop();
    server = await boot(store);
  }
  expect((await api(server, "GET", "/rooms", undefined, alice.token)).status).toBe(200);
});
