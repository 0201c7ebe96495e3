// What an idle, joined connection costs in live JavaScript heap, after full collections:
// ChatLoop beside plain Socket.IO on Bun, each served in this process, with the clients in
// another. RSS (the suite's idle number) also counts native buffers and what the allocator
// keeps; this is the part the code decides.
// --clustered serves ChatLoop as one of several instances (Redis, the sharded adapter's
// subscription per Socket.IO room): what being ready for others costs each connection.
//   bun bench/heap.ts [--connections 2000] [--clustered]
import "./defaults";
import { heapStats } from "bun:jsc";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startChatLoop } from "../src/server";
import { freshDatabase, testConfig } from "../test/harness";
import { targets } from "./client/targets";
import { servePlainSocketIo } from "./reference/plain-socketio";
import { PASSWORD, populate } from "./servers";

const { values: args } = parseArgs({ options: { connections: { type: "string", default: "2000" }, clustered: { type: "boolean", default: false } } });
const connections = Number(args.connections);
const MEMBERS_PER_ROOM = 5;

interface Population {
  base: string;
  tokens: string[];
  rooms: string[];
}

async function chatloop(): Promise<{ population: Population; stop(): Promise<void> }> {
  // Alone, its fast state is in memory; clustered, in Redis (the harness's TEST_REDIS_URL).
  const { config, drop } = await freshDatabase(args.clustered ? testConfig() : testConfig({ redisUrl: undefined }));
  const server = await startChatLoop(config);
  const usernames = Array.from({ length: connections }, (_, i) => `heap${i}`);
  const roomIds = await populate(server.sql, usernames, { rooms: connections / MEMBERS_PER_ROOM, membersPerRoom: MEMBERS_PER_ROOM }, config.passwordHashing);
  const base = server.url.href.replace(/\/$/, "");
  const tokens: string[] = [];
  for (const username of usernames) tokens.push((await targets.chatloop.login(base, { username, password: PASSWORD })).token!);
  const rooms = usernames.map((_, i) => roomIds[Math.floor(i / MEMBERS_PER_ROOM)]!);
  return { population: { base, tokens, rooms }, stop: async () => (await server.stop(), await drop()) };
}

async function plainSocketIo(): Promise<{ population: Population; stop(): Promise<void> }> {
  const server = servePlainSocketIo(0);
  const rooms = Array.from({ length: connections }, (_, i) => `room ${Math.floor(i / MEMBERS_PER_ROOM)}`);
  return { population: { base: `http://127.0.0.1:${server.port}`, tokens: rooms.map(() => ""), rooms }, stop: async () => void server.stop(true) };
}

function liveHeap() {
  Bun.gc(true);
  Bun.gc(true);
  const stats = heapStats();
  return { bytes: stats.heapSize, objects: stats.objectTypeCounts as Record<string, number> };
}

for (const [target, start] of [
  ["chatloop", chatloop],
  ["plain-socketio", plainSocketIo],
] as const) {
  const { population, stop } = await start();
  const before = liveHeap();
  const clients = Bun.spawn([process.execPath, join(import.meta.dir, "heap-clients.ts")], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  clients.stdin.write(JSON.stringify(population) + "\n");
  await clients.stdin.flush();
  const { value } = await clients.stdout.getReader().read();
  const { joined } = JSON.parse(new TextDecoder().decode(value)) as { joined: number };
  if (joined !== connections) throw new Error(`${target}: ${joined} of ${connections} clients joined`);
  const after = liveHeap();
  const perConnection = Object.entries(after.objects)
    .map(([type, count]) => [type, (count - (before.objects[type] ?? 0)) / connections] as const)
    .filter(([, count]) => count >= 0.5)
    .sort((a, b) => b[1] - a[1]);
  console.log(
    JSON.stringify({
      target,
      ...(target === "chatloop" && args.clustered ? { clustered: true } : {}),
      connections,
      liveHeapBytesPerConnection: Math.round((after.bytes - before.bytes) / connections),
      objectsPerConnection: Object.fromEntries(perConnection.map(([type, count]) => [type, Math.round(count * 100) / 100])),
    }),
  );
  clients.kill();
  await clients.exited;
  await stop();
}
process.exit(0);
