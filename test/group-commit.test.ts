// Group commit, seen by real clients: the sends of one moment are stored together in one
// statement, and each is answered as if it had been stored alone.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import type { Message } from "../src/messages/schemas";
import { api, closeSockets, connect, createRoom, signUp, startServer, stopServer, type Person, type TestServer } from "./harness";

let server: TestServer;
let alice: Person, bob: Person, mallory: Person;

beforeAll(async () => {
  server = await startServer();
  [alice, bob, mallory] = await Promise.all([signUp(server, "alice"), signUp(server, "bob"), signUp(server, "mallory")]);
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

/** How many batches have been stored, and how many messages they held. */
async function batches(): Promise<{ count: number; messages: number }> {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  return { count: read("chatloop_message_batch_size_count"), messages: read("chatloop_message_batch_size_sum") };
}

test("sends to several rooms at once share statements, and each room is numbered 1..N without a gap", async () => {
  const rooms = [await createRoom(server, alice, "one"), await createRoom(server, alice, "two"), await createRoom(server, alice, "three")];
  const sockets = [await connect(server, alice.token), await connect(server, alice.token), await connect(server, alice.token)];
  const before = await batches();

  const acks = await Promise.all(
    sockets.flatMap((socket) => rooms.flatMap((room) => Array.from({ length: 10 }, (_, n) => socket.emitWithAck("sendMessage", { roomId: room.id, content: `${room.name} ${n}` }) as Promise<Message>))),
  );
  for (const room of rooms) {
    expect(acks.filter((ack) => ack.roomId === room.id).map((ack) => ack.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const history = (await api(server, "GET", `/messages/${room.id}?limit=200`, undefined, alice.token)).body as Message[];
    expect(history).toEqual(acks.filter((ack) => ack.roomId === room.id).sort((a, b) => a.seq - b.seq));
  }
  const after = await batches();
  expect(after.messages - before.messages).toBe(90);
  expect(after.count - before.count).toBeLessThan(90);
});

test("in one batch, a stranger's send is refused, a retry finds its message, a clientId sent twice is stored once, and the rest are stored", async () => {
  const room = await createRoom(server, alice, "mixed batch");
  await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
  const [asAlice, asBob, asMallory] = [await connect(server, alice.token), await connect(server, bob.token), await connect(server, mallory.token)];
  const first = (await asBob.emitWithAck("sendMessage", { roomId: room.id, content: "first", clientId: "bob-1" })) as Message;

  const [fresh, strangers, retry, twice] = await Promise.all([
    Promise.all(Array.from({ length: 10 }, (_, n) => asAlice.emitWithAck("sendMessage", { roomId: room.id, content: `alice ${n}` }))),
    Promise.all(Array.from({ length: 3 }, () => asMallory.emitWithAck("sendMessage", { roomId: room.id, content: "let me in" }))),
    asBob.emitWithAck("sendMessage", { roomId: room.id, content: "first, again", clientId: "bob-1" }),
    Promise.all([1, 2].map(() => asBob.emitWithAck("sendMessage", { roomId: room.id, content: "once", clientId: "bob-2" }))),
  ]);

  expect(strangers).toEqual(Array(3).fill({ message: "join the room first", code: "not_a_member" }));
  expect(retry).toEqual(first);
  expect(twice[0]).toEqual(twice[1]!);
  const history = (await api(server, "GET", `/messages/${room.id}`, undefined, alice.token)).body as Message[];
  expect(history.map((m) => m.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  expect(history.filter((m) => m.clientId === "bob-2")).toEqual([twice[0] as Message]);
  expect(history.filter((m) => m.content.startsWith("alice")).sort((a, b) => a.seq - b.seq)).toEqual((fresh as Message[]).sort((a, b) => a.seq - b.seq));
});
