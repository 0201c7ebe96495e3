// Cross-instance delivery latency: a message sent to instance A, stored, and received by a
// member connected to instance B (through Redis). Needs a real PostgreSQL and Redis:
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TEST_REDIS_URL=redis://127.0.0.1:6379 bun bench/cross-instance.ts
// Prints one JSON line. Bounded: COUNT messages, paced, then the same count as fast as acks allow.
import { api, connect, createRoom, databaseUrl, redisUrl, signUp, startPeer, startServer, stopServer } from "../test/harness";

const COUNT = Number(process.env.COUNT ?? 500);
if (!databaseUrl || !redisUrl) throw new Error("set TEST_DATABASE_URL and TEST_REDIS_URL");

const a = await startServer();
const b = await startPeer(a);
const [alice, bob] = [await signUp(a, "alice"), await signUp(b, "bob")];
const room = await createRoom(a, alice, "bench");
await api(b, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
const sender = await connect(a, alice.token);
const receiver = await connect(b, bob.token);
await sender.emitWithAck("joinRoom", { roomId: room.id });
await receiver.emitWithAck("joinRoom", { roomId: room.id });

const sentAt = new Map<string, number>();
const latencies: number[] = [];
let received = 0;
let done: () => void = () => {};
receiver.on("newMessage", (m) => {
  const t = sentAt.get(m.clientId!);
  if (t !== undefined) latencies.push(performance.now() - t);
  if (++received % COUNT === 0) done();
});

async function run(label: string, paceMs: number) {
  latencies.length = 0;
  const all = new Promise<void>((resolve) => (done = resolve));
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const clientId = `${label}-${i}`;
    sentAt.set(clientId, performance.now());
    const ack = sender.emitWithAck("sendMessage", { roomId: room.id, content: `m${i}`, clientId });
    if (paceMs) {
      await ack;
      await Bun.sleep(paceMs);
    }
  }
  await all;
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  const q = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 100) / 100;
  return { scenario: label, messages: COUNT, perSecond: Math.round(COUNT / seconds), p50ms: q(0.5), p90ms: q(0.9), p99ms: q(0.99), maxMs: q(1) };
}

const paced = await run("paced-20-per-s", 50);
const burst = await run("burst", 0);
console.log(JSON.stringify({ bench: "cross-instance", date: new Date().toISOString(), cores: navigator.hardwareConcurrency, results: [paced, burst] }));
sender.close();
receiver.close();
await stopServer(b);
await stopServer(a);
process.exit(0);
