// What one message costs each part of a cluster, for the scale model in BENCHMARKS.md: N ChatLoop
// instances on one PostgreSQL and one Redis, rooms of two members, every sender on the first
// instance (A). Two phases, each measured apart:
//   bystander: the rooms' other members are not connected, so no other instance has a socket in
//     any of them: what a message of a room an instance does not serve costs it;
//   member elsewhere: each room's other member listens on the second instance (B): what hearing
//     and delivering a message of a room it serves costs B, the rest still bystanders.
// Each instance's idle CPU (timers, reconciling) is read beforehand and taken off. Needs this
// machine's PostgreSQL and Redis (bench/defaults.ts).
//   bun bench/scale.ts [--instances 2] [--senders 100] [--messages 50]
import "./defaults";
import { parseArgs } from "node:util";
import type { LeanSocket } from "./client/lean-socket";
import { connectAndJoin, postMessage, targets } from "./client/targets";
import { cpuMs, postgresCpuMs } from "./proc";
import { PASSWORD, startServer } from "./servers";

const { values: args } = parseArgs({
  options: { instances: { type: "string", default: "2" }, senders: { type: "string", default: "100" }, messages: { type: "string", default: "50" } },
});
const [instances, senders, perSender] = [Number(args.instances), Number(args.senders), Number(args.messages)];
if (instances < 2) throw new Error("--instances: at least 2");
/** How long each instance's idle CPU is read for. */
const IDLE_MS = 2000;
/** After the last acknowledgement: the other instances hear the last messages, and the activity rounds after them run. */
const TAIL_MS = 1500;

const redisPid = Number(Bun.spawnSync(["pgrep", "-o", "redis-server"]).stdout.toString().trim());
if (!redisPid) throw new Error("no redis-server process to measure");

const server = await startServer("chatloop", { rooms: senders, membersPerRoom: 2, instances });
const opened: LeanSocket[] = [];
/** The i-th room's member `m` (0 or 1), signed in on `base` and joined to the room. */
const member = async (i: number, m: number, base: string) => {
  const auth = await targets.chatloop.login(base, { username: server.usernames[2 * i + m]!, password: PASSWORD });
  const socket = await connectAndJoin(targets.chatloop, base, auth, server.rooms[i]!);
  opened.push(socket);
  return socket;
};
const mean = (values: number[]) => Math.round(values.reduce((sum, v) => sum + v, 0) / values.length);

/** Sends perSender messages from each sender, one at a time, and returns each part's CPU per message, in µs. */
async function measure(phase: string, sockets: LeanSocket[], bWatches: boolean) {
  await Bun.sleep(2000); // presence and the first activity rounds settle
  const idleFrom = await Promise.all(server.pids.map(cpuMs));
  await Bun.sleep(IDLE_MS);
  const idlePerMs = (await Promise.all(server.pids.map(cpuMs))).map((ms, i) => (ms - idleFrom[i]!) / IDLE_MS);
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
  const elapsedMs = performance.now() - started;
  await Bun.sleep(TAIL_MS);
  const after = [...(await Promise.all(pids.map(cpuMs))), await postgresCpuMs()];
  const messages = senders * perSender;
  const perMessage = (ms: number) => Math.round((ms / messages) * 1000);
  const spent = after.map((ms, i) => ms - before[i]!);
  /** An instance's CPU per message, less what it would have spent idle meanwhile. */
  const net = (i: number) => perMessage(spent[i]! - idlePerMs[i]! * (elapsedMs + TAIL_MS));
  const others = Array.from({ length: instances - 1 }, (_, k) => k + 1);
  const bystanders = bWatches ? others.slice(1) : others;
  return {
    phase,
    instances,
    messages,
    refused,
    messagesPerSecond: Math.round(messages / (elapsedMs / 1000)),
    storingInstanceUs: net(0),
    ...(bWatches ? { memberInstanceUs: net(1) } : {}),
    ...(bystanders.length ? { bystanderInstanceUs: mean(bystanders.map(net)) } : {}),
    redisUs: perMessage(spent[instances]!),
    postgresUs: perMessage(spent[instances + 1]!),
  };
}

try {
  const [a, b] = server.bases as [string, string];
  const sending = await Promise.all(server.rooms.map((_, i) => member(i, 0, a)));
  console.log(JSON.stringify(await measure("bystander", sending, false)));
  await Promise.all(server.rooms.map((_, i) => member(i, 1, b)));
  console.log(JSON.stringify(await measure("member-elsewhere", sending, true)));
} finally {
  for (const socket of opened) socket.close();
  await server.stop();
}
process.exit(0);
