// What one message costs each part of a cluster, for the scale model in BENCHMARKS.md: two
// ChatLoop instances on one PostgreSQL and one Redis; every sender is on instance A, in a room
// of its own (so a message is delivered once, to its sender), and instance B has no sockets at
// all: B's CPU is what hearing another instance's message costs, whether or not anyone there
// wants it. Needs this machine's PostgreSQL and Redis (bench/defaults.ts).
//   bun bench/scale.ts [--senders 100] [--messages 50]
import "./defaults";
import { parseArgs } from "node:util";
import { connectAndJoin, postMessage, targets } from "./client/targets";
import { cpuMs, postgresCpuMs } from "./proc";
import { PASSWORD, startServer } from "./servers";

const { values: args } = parseArgs({ options: { senders: { type: "string", default: "100" }, messages: { type: "string", default: "50" } } });
const [senders, perSender] = [Number(args.senders), Number(args.messages)];

const redisPid = Number(Bun.spawnSync(["pgrep", "-o", "redis-server"]).stdout.toString().trim());
if (!redisPid) throw new Error("no redis-server process to measure");

const server = await startServer("chatloop", { rooms: senders, membersPerRoom: 1, instances: 2 });
try {
  const [a, b] = server.bases as [string, string];
  const sockets = await Promise.all(
    server.usernames.map(async (username, i) => connectAndJoin(targets.chatloop, a, await targets.chatloop.login(a, { username, password: PASSWORD }), server.rooms[i]!)),
  );
  await Bun.sleep(3000); // presence and the first activity rounds settle
  const pids = [...server.pids, redisPid];
  const before = [...(await Promise.all(pids.map(cpuMs))), await postgresCpuMs()];
  const started = performance.now();
  let refused = 0;
  await Promise.all(
    sockets.map(async (socket, i) => {
      for (let n = 0; n < perSender; n++) {
        const id = await postMessage(socket, { roomId: server.rooms[i]!, content: "x".repeat(64), clientId: `${i}_${n}` });
        if (id === undefined) refused++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Bun.sleep(1500); // B hears the last ones, and the activity round after them runs
  const after = [...(await Promise.all(pids.map(cpuMs))), await postgresCpuMs()];
  const messages = senders * perSender;
  const [storing, hearing, redis, database] = after.map((ms, i) => Math.round(((ms - before[i]!) / messages) * 1000));
  for (const socket of sockets) socket.close();
  console.log(
    JSON.stringify({
      messages,
      refused,
      messagesPerSecond: Math.round(messages / seconds),
      // CPU per message, in µs: the instance that stored it, an instance with no one to tell, Redis, PostgreSQL.
      storingInstanceUs: storing,
      bystanderInstanceUs: hearing,
      redisUs: redis,
      postgresUs: database,
      base: b,
    }),
  );
} finally {
  await server.stop();
}
process.exit(0);
