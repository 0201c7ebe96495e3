// One load-generator process: logs its clients in, connects and joins them all at once,
// then sends its senders' share and counts what every client receives. Driven by the
// orchestrator (bench/run.ts) through JSON lines: the plan first, then commands.
import type { LeanSocket } from "../client/lean-socket";
import { connectAndJoin, sendMessage, targets } from "../client/targets";
import { LatencyHistogram, now } from "./latency";
import type { ClientPlan, Command, JoinReport, RunReport, WorkerPlan } from "./plan";

/** Logins in flight at once: the server's hashing, not the generator, should set the pace. */
const LOGIN_CONCURRENCY = 32;

const lines = console[Symbol.asyncIterator]();
const read = async <T>() => JSON.parse((await lines.next()).value as string) as T;
const reply = (report: object) => console.log(JSON.stringify(report));

const plan = await read<WorkerPlan>();
const target = targets[plan.target];
const auths: Record<string, string>[] = [];
const sockets: (LeanSocket | undefined)[] = [];

for (;;) {
  const { cmd } = await read<Command>();
  if (cmd === "login") reply({ event: "loggedIn", ...(await logInAll()) });
  if (cmd === "connect") reply(await connectAll());
  if (cmd === "run") reply(await run());
  if (cmd === "close") break;
}
for (const socket of sockets) socket?.close();
process.exit(0);

async function logInAll() {
  let next = 0;
  const one = async () => {
    while (next < plan.clients.length) {
      const i = next++;
      const client = plan.clients[i]!;
      auths[i] = await target.login(plan.bases[client.server]!, client);
    }
  };
  await Promise.all(Array.from({ length: LOGIN_CONCURRENCY }, one));
  return { clients: auths.length };
}

async function connectAll(): Promise<JoinReport> {
  const startedAt = now();
  const results = await Promise.allSettled(plan.clients.map((client, i) => connectAndJoin(target, plan.bases[client.server]!, auths[i] ?? {}, client.roomId)));
  const doneAt = now();
  const failed = results.filter((result) => result.status === "rejected");
  results.forEach((result, i) => (sockets[i] = result.status === "fulfilled" ? result.value : undefined));
  return { event: "joined", startedAt, doneAt, failures: failed.length, firstFailure: failed[0] && String(failed[0].reason) };
}

async function run(): Promise<RunReport> {
  const { sending } = plan;
  const expected = sending.sendersPerRoom * sending.messagesPerSender;
  const latency = new LatencyHistogram();
  const stats = { sent: 0, acked: 0, refused: 0, received: 0, duplicates: 0, outOfOrder: 0, firstSendAt: Infinity, lastReceiveAt: 0 };
  const distinct = new Uint32Array(plan.clients.length);
  let complete = expected === 0 ? plan.clients.length : 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const sendersLeft = { count: plan.clients.filter((client) => client.senderSlot !== undefined).length };
  const checkDone = () => complete === plan.clients.length && sendersLeft.count === 0 && finish();

  plan.clients.forEach((_, i) => {
    const socket = sockets[i];
    if (!socket) return;
    // Which of the room's messages (sender slot x number) arrived; a sender's messages in
    // flight together may be numbered by the room in any order, so a set, not a counter.
    const seen = new Uint8Array(expected);
    let lastSeq = 0;
    socket.onMessage = (frame) => {
      const at = now();
      stats.received++;
      stats.lastReceiveAt = at;
      const seqAt = frame.indexOf('"seq":') + 6;
      const seq = Number(frame.slice(seqAt, frame.indexOf(",", seqAt)));
      if (seq <= lastSeq) stats.outOfOrder++;
      lastSeq = seq;
      const start = frame.indexOf('"clientId":"') + 12;
      const id = frame.slice(start, frame.indexOf('"', start));
      const [slot, n, stamp] = id.split("_").map(Number) as [number, number, number];
      latency.record(at - stamp);
      const index = slot * sending.messagesPerSender + n;
      if (seen[index]) return void stats.duplicates++;
      seen[index] = 1;
      if (++distinct[i]! === expected) complete++, checkDone();
    };
  });

  const content = "x".repeat(sending.contentBytes);
  const sendOne = async (socket: LeanSocket, client: ClientPlan, n: number) => {
    const at = now();
    stats.firstSendAt = Math.min(stats.firstSendAt, at);
    stats.sent++;
    const ok = await sendMessage(socket, client.roomId, content, `${client.senderSlot}_${n}_${at.toFixed(3)}`);
    ok ? stats.acked++ : stats.refused++;
  };
  const sender = async (socket: LeanSocket, client: ClientPlan) => {
    if (sending.perSecond) {
      // Senders take turns within each interval, so the room's load is even, not bursts.
      const start = now() + ((client.senderSlot! / sending.sendersPerRoom) * 1000) / sending.perSecond;
      const waits: Promise<void>[] = [];
      for (let n = 0; n < sending.messagesPerSender; n++) {
        await Bun.sleep(Math.max(0, start + (n * 1000) / sending.perSecond - now()));
        waits.push(sendOne(socket, client, n));
      }
      await Promise.all(waits);
    } else {
      let next = 0;
      const lane = async () => {
        while (next < sending.messagesPerSender) await sendOne(socket, client, next++);
      };
      await Promise.all(Array.from({ length: sending.window ?? 1 }, lane));
    }
    sendersLeft.count--;
    checkDone();
  };

  const cpuBefore = process.cpuUsage();
  plan.clients.forEach((client, i) => {
    const socket = sockets[i];
    if (socket && client.senderSlot !== undefined) void sender(socket, client);
    else if (client.senderSlot !== undefined) sendersLeft.count--;
  });
  checkDone();
  const timedOut = await Promise.race([finished.then(() => false), Bun.sleep(plan.capMs).then(() => true)]);
  const cpu = process.cpuUsage(cpuBefore);
  const missing = plan.clients.reduce((sum, _, i) => sum + expected - distinct[i]!, 0);
  return { event: "done", ...stats, missing, latency: latency.toSparse(), cpuMs: Math.round((cpu.user + cpu.system) / 1000), timedOut };
}
