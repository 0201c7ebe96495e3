// Long-polling as clients other than the JavaScript one need it: no response carries more than
// 16 packets (python-engineio aborts the connection on more), so a client that rejoins far
// behind gets its replay over several polls, complete and in order. Spoken by hand, to see
// each response as it is.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { api, createRoom, type Person, people, startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;
let alice: Person;

beforeAll(async () => {
  server = await startServer();
  [alice] = await people(server, "alice");
});
afterAll(() => stopServer(server));

/** A long-polling Engine.IO session: each poll's packets, and a way to send some. */
async function pollingSession(token: string) {
  const url = `${server.base}/socket.io/?EIO=4&transport=polling`;
  const [open] = await poll(url);
  const { sid } = JSON.parse(open!.slice(1));
  const session = `${url}&sid=${sid}`;
  const send = async (...packets: string[]) => expect((await fetch(session, { method: "POST", body: packets.join("\x1e") })).status).toBe(200);
  await send(`40${JSON.stringify({ token })}`);
  // Events go after the namespace's CONNECT is answered, as every client sends them.
  while (!(await poll(session)).some((packet) => packet.startsWith("40{")));
  return { send, poll: () => poll(session) };
}

async function poll(url: string): Promise<string[]> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return (await response.text()).split("\x1e");
}

test("a client 100 messages behind gets its replay over polls of at most 16 packets, every message once, in order, then the acknowledgement", async () => {
  const room = await createRoom(server, alice, "far behind");
  for (let i = 1; i <= 100; i++) await api(server, "POST", "/messages", { roomId: room.id, content: `message ${i}` }, alice.token);
  const client = await pollingSession(alice.token);
  const sizes: number[] = [];
  const events: string[] = [];
  let acked = false;
  await client.send(`421${JSON.stringify(["joinRoom", { roomId: room.id, after: 0 }])}`);
  while (!acked) {
    const packets = await client.poll();
    sizes.push(packets.length);
    for (const packet of packets) {
      if (packet.startsWith("42[")) events.push(JSON.parse(packet.slice(2)));
      if (packet.startsWith("431[")) acked = true;
    }
  }
  expect(Math.max(...sizes)).toBeLessThanOrEqual(16);
  const seqs = events.filter(([event]) => event === "newMessage").map(([, message]) => (message as unknown as { seq: number }).seq);
  expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  // (The person's own events, such as roomActivity for those 100 messages, may come between.)
  expect(events.filter(([event]) => event === "newMessage" || event === "roomJoined").at(-1)?.[0]).toBe("roomJoined");
});
