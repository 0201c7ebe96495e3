// What one message costs each part of a cluster, for the scale model in BENCHMARKS.md: two
// ChatLoop instances on one PostgreSQL and one Redis, rooms of two members, and every sender on
// instance A. Two phases, each measured apart:
//   bystander: the rooms' other members are not connected, so instance B has no socket in any of
//     them: B's CPU is what a message of a room it does not serve costs it;
//   member elsewhere: each room's other member listens on B: B's CPU is what hearing and
//     delivering a message of a room it serves costs.
// Needs this machine's PostgreSQL and Redis (bench/defaults.ts).
//   bun bench/scale.ts [--senders 100] [--messages 50]
import "./defaults";
import { parseArgs } from "node:util";
import type { LeanSocket } from "./client/lean-socket";
import { connectAndJoin, postMessage, targets } from "./client/targets";
import { cpuMs, postgresCpuMs } from "./proc";
import { PASSWORD, startServer } from "./servers";

const { values: args } = parseArgs({ options: { senders: { type: "string", default: "100" }, messages: { type: "string", default: "50" } } });
const [senders, perSender] = [Number(args.senders), Number(args.messages)];

const redisPid = Number(Bun.spawnSync(["pgrep", "-o", "redis-server"]).stdout.toString().trim());
if (!redisPid) throw new Error("no redis-server process to measure");

const server = await startServer("chatloop", { rooms: senders, membersPerRoom: 2, instances: 2 });
const opened: LeanSocket[] = [];
/** The i-th room's member `m` (0 or 1), signed in on `base` and joined to the room. */
const member = async (i: number, m: number, base: string) => {
  const auth = await targets.chatloop.login(base, { username: server.usernames[2 * i + m]!, password: PASSWORD });
  const socket = await connectAndJoin(targets.chatloop, base, auth, server.rooms[i]!);
  opened.push(socket);
  return socket;
};

/** How long B's idle CPU is read for. */
const IDLE_MS = 2000;

/** Sends perSender messages from each sender, one at a time, and returns each part's CPU per message, in µs. */
async function measure(phase: string, sockets: LeanSocket[]) {
  await Bun.sleep(2000); // presence and the first activity rounds settle
  // What B spends doing nothing (timers, reconciling), to tell it from what the messages cost.
  const idleFrom = await cpuMs(server.pids[1]!);
  await Bun.sleep(IDLE_MS);
  const idlePerMs = ((await cpuMs(server.pids[1]!)) - idleFrom) / IDLE_MS;
  const pids = [...server.pids, redisPid];
  const before = [...(await Promise.all(pids.map(cpuMs))), await postgresCpuMs()];
  const started = performance.now();
  let refused = 0;
  await Promise.all(
    sockets.map(async (socket, i) => {
      for (let n = 0; n < perSender; n++) {
        const id = await postMessage(socket, { roomId: server.rooms[i]!, content: "x".repeat(64), clientId: `${phase}_${i}_${n}` });
        if (id === undefined) refused++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Bun.sleep(1500); // B hears the last ones, and the activity rounds after them run
  const after = [...(await Promise.all(pids.map(cpuMs))), await postgresCpuMs()];
  const messages = senders * perSender;
  const perMessage = (ms: number) => Math.round((ms / messages) * 1000);
  const [storing, other, redis, database] = after.map((ms, i) => perMessage(ms - before[i]!));
  const otherIdle = perMessage(idlePerMs * (seconds * 1000 + 1500));
  return {
    phase,
    messages,
    refused,
    messagesPerSecond: Math.round(messages / seconds),
    storingInstanceUs: storing,
    otherInstanceUs: other,
    // Of otherInstanceUs, what B would have spent idle over the same time.
    otherInstanceIdleUs: otherIdle,
    redisUs: redis,
    postgresUs: database,
  };
}

try {
  const [a, b] = server.bases as [string, string];
  const sending = await Promise.all(server.rooms.map((_, i) => member(i, 0, a)));
  console.log(JSON.stringify(await measure("bystander", sending)));
  await Promise.all(server.rooms.map((_, i) => member(i, 1, b)));
  console.log(JSON.stringify(await measure("member-elsewhere", sending)));
} finally {
  for (const socket of opened) socket.close();
  await server.stop();
}
process.exit(0);
