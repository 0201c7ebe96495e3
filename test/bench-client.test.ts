// The benchmark's lean client speaks the real protocol: it logs in, connects, joins, sends,
// and receives its own message and a second client's, against a real server.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { LeanSocket } from "../bench/client/lean-socket";
import { connectAndJoin, sendMessage, targets } from "../bench/client/targets";
import { createRoom, people, startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;
beforeAll(async () => (server = await startServer()));
afterAll(() => stopServer(server));

const nextFrame = (socket: LeanSocket) => new Promise<string>((resolve) => (socket.onMessage = resolve));

test("the bench client logs in, joins a room, sends, and both members receive the message", async () => {
  const [alice, bob] = await people(server, "alice", "bob");
  const room = await createRoom(server, alice, "bench");
  const chatloop = targets.chatloop;
  const sender = await connectAndJoin(chatloop, server.base, await chatloop.login(server.base, alice), room.id);
  const receiver = await connectAndJoin(chatloop, server.base, await chatloop.login(server.base, bob), room.id);

  const heard = [nextFrame(sender), nextFrame(receiver)];
  expect(await sendMessage(sender, room.id, "hello", "0_0_1")).toBe(true);
  for (const frame of await Promise.all(heard)) {
    const [event, message] = JSON.parse(frame.slice(2));
    expect(event).toBe("newMessage");
    expect(message).toMatchObject({ roomId: room.id, seq: 1, content: "hello", clientId: "0_0_1", senderId: alice.id });
  }
  sender.close();
  receiver.close();
});

test("a bad token is refused at CONNECT", async () => {
  await expect(LeanSocket.open(targets.chatloop.wire(server.base), { token: "not-a-token" })).rejects.toThrow(/connect refused/);
});
