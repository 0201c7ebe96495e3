// One load-generator process: logs its clients in, connects and joins them all at once,
// then sends its senders' share (with changes, also their edits and reactions, and everyone's
// typing) and counts what every client receives. Driven by the orchestrator (bench/run.ts)
// through JSON lines: the plan first, then commands.
import { LeanSocket } from "../client/lean-socket";
import { joinRoom, postMessage, targets } from "../client/targets";
import { ChangeMaker, typeAlong } from "./changes";
import { LatencyHistogram, now } from "./latency";
import type { ClientPlan, Command, JoinReport, RunReport, WorkerPlan } from "./plan";

/** Logins in flight at once: the server's hashing, not the generator, should set the pace. */
const LOGIN_CONCURRENCY = 32;
/**
 * A connect or join refused as `unavailable` (ChatLoop's database did not answer within its
 * deadline: at 10,000 at once the queue for it can be longer) is tried again after 1 to 3 s, as
 * the answer says and a client would, this many times in all; each retry is counted and reported.
 */
const CONNECT_TRIES = 4;
const retryAfterMs = () => 1000 + Math.random() * 2000;

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
  let retries = 0;
  const tried = async <T>(attempt: () => Promise<T>): Promise<T> => {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (tries >= CONNECT_TRIES || !/\bunavailable\b/.test(String(error))) throw error;
        retries++;
        await Bun.sleep(retryAfterMs());
      }
    }
  };
  const connectAndJoin = async (client: ClientPlan, auth: Record<string, string>) => {
    const socket = await tried(() => LeanSocket.open(target.wire(plan.bases[client.server]!), auth));
    try {
      await tried(() => joinRoom(socket, client.roomId));
    } catch (error) {
      socket.close(); // a failed client holds no connection
      throw error;
    }
    return socket;
  };
  const results = await Promise.allSettled(plan.clients.map((client, i) => connectAndJoin(client, auths[i] ?? {})));
  const doneAt = now();
  const failed = results.filter((result) => result.status === "rejected");
  results.forEach((result, i) => (sockets[i] = result.status === "fulfilled" ? result.value : undefined));
  return { event: "joined", startedAt, doneAt, failures: failed.length, firstFailure: failed[0] && String(failed[0].reason), retries };
}

async function run(): Promise<RunReport> {
  const { sending } = plan;
  const { changes } = sending;
  const expected = sending.sendersPerRoom * sending.messagesPerSender;
  // With changes, every message and every change (per sender and round, one edit and its
  // reactions) takes the room's next rev: the log ends at this one.
  const finalRev = changes ? expected + sending.sendersPerRoom * Math.floor(sending.messagesPerSender / changes.roundMessages) * (1 + changes.reactions.length) : 0;
  const latency = new LatencyHistogram();
  const ackLatency = new LatencyHistogram();
  const stats = {
    sent: 0,
    acked: 0,
    refused: 0,
    received: 0,
    changes: 0,
    replies: 0,
    updatesReceived: 0,
    typingSent: 0,
    typingReceived: 0,
    activityReceived: 0,
    duplicates: 0,
    outOfOrder: 0,
    firstSendAt: Infinity,
    lastReceiveAt: 0,
  };
  /** Per client, the distinct messages it received, and the highest rev (with changes). */
  const distinct = new Uint32Array(plan.clients.length);
  const lastRev = new Uint32Array(plan.clients.length);
  const caughtUp = new Uint8Array(plan.clients.length);
  /** Per client, the roomActivity frames it received: one per round that told its room. */
  const told = new Uint32Array(plan.clients.length);
  let complete = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let endSending = () => {};
  const sendingDone = new Promise<void>((resolve) => (endSending = resolve));
  const sendersLeft = { count: plan.clients.filter((client) => client.senderSlot !== undefined).length };
  const checkDone = () => {
    if (sendersLeft.count === 0) endSending();
    if (complete === plan.clients.length && sendersLeft.count === 0) finish();
  };
  /** A client is done once it has every message and, with changes, the room's last rev. */
  const checkClient = (i: number) => {
    if (caughtUp[i] || distinct[i]! < expected || lastRev[i]! < finalRev) return;
    caughtUp[i] = 1;
    complete++;
    checkDone();
  };
  plan.clients.forEach((_, i) => checkClient(i)); // a quiet run waits for nothing
  const edited = "y".repeat(sending.contentBytes);
  const makers = plan.clients.map((client, i) => (changes && client.senderSlot !== undefined && sockets[i] ? new ChangeMaker(sockets[i], changes, edited, stats) : undefined));

  plan.clients.forEach((client, i) => {
    const socket = sockets[i];
    if (!socket) return;
    // Which of the room's messages (sender slot x number) arrived; a sender's messages in
    // flight together may be numbered by the room in any order, so a set, not a counter.
    const seen = new Uint8Array(expected);
    let lastSeq = 0;
    // Messages and changes share the room's rev, which must rise with every frame. A feed may
    // send a message in its current state, its later changes folded in: so revs may be skipped.
    const inRevOrder = (frame: string) => {
      const rev = numberAfter(frame, '"rev":');
      if (rev <= lastRev[i]!) return false;
      lastRev[i] = rev;
      return true;
    };
    socket.onMessage = (frame) => {
      const at = now();
      stats.received++;
      stats.lastReceiveAt = at;
      const seq = numberAfter(frame, '"seq":');
      if (seq <= lastSeq) stats.outOfOrder++;
      lastSeq = seq;
      if (changes && !inRevOrder(frame)) stats.outOfOrder++;
      const [slot, n, stamp] = clientIdOf(frame);
      latency.record(at - stamp);
      const index = slot * sending.messagesPerSender + n;
      if (seen[index]) return void stats.duplicates++;
      seen[index] = 1;
      distinct[i]!++;
      if (slot !== client.senderSlot) makers[i]?.heard(stringAfter(frame, '"id":"'));
      checkClient(i);
    };
    socket.onUpdate = (frame) => {
      stats.updatesReceived++;
      stats.lastReceiveAt = now();
      const [slot, n] = clientIdOf(frame);
      // Before its message, or not after the rev before it (a duplicate, or one overtaken).
      if (!seen[slot * sending.messagesPerSender + n] || !inRevOrder(frame)) stats.outOfOrder++;
      checkClient(i);
    };
    socket.onTyping = () => void stats.typingReceived++;
    socket.onActivity = () => {
      stats.activityReceived++;
      told[i]!++;
    };
  });

  const content = "x".repeat(sending.contentBytes);
  const sendOne = async (socket: LeanSocket, client: ClientPlan, n: number, maker?: ChangeMaker) => {
    const at = now();
    stats.firstSendAt = Math.min(stats.firstSendAt, at);
    stats.sent++;
    const replyToId = maker?.replyTo(n);
    if (replyToId) stats.replies++;
    const id = await postMessage(socket, { roomId: client.roomId, content, clientId: `${client.senderSlot}_${n}_${at.toFixed(3)}`, replyToId });
    if (id === undefined) return void stats.refused++;
    stats.acked++;
    ackLatency.record(now() - at);
    await maker?.acknowledged(n, id);
  };
  const sender = async (socket: LeanSocket, client: ClientPlan, maker?: ChangeMaker) => {
    if (sending.perSecond) {
      // Senders take turns within each interval, so the room's load is even, not bursts.
      const start = now() + ((client.senderSlot! / sending.sendersPerRoom) * 1000) / sending.perSecond;
      const waits: Promise<void>[] = [];
      for (let n = 0; n < sending.messagesPerSender; n++) {
        await Bun.sleep(Math.max(0, start + (n * 1000) / sending.perSecond - now()));
        waits.push(sendOne(socket, client, n, maker));
      }
      await Promise.all(waits);
    } else {
      let next = 0;
      const lane = async () => {
        while (next < sending.messagesPerSender) await sendOne(socket, client, next++, maker);
      };
      await Promise.all(Array.from({ length: sending.window ?? 1 }, lane));
    }
    sendersLeft.count--;
    checkDone();
  };

  const cpuBefore = process.cpuUsage();
  plan.clients.forEach((client, i) => {
    const socket = sockets[i];
    if (socket && client.senderSlot !== undefined) void sender(socket, client, makers[i]);
    else if (client.senderSlot !== undefined) sendersLeft.count--;
  });
  checkDone();
  const cap = Bun.sleep(plan.capMs).then(() => true);
  if (changes) {
    const members = plan.clients.flatMap((client, i) => (sockets[i] ? [{ socket: sockets[i], roomId: client.roomId }] : []));
    typeAlong(members, changes.typingEveryMs, plan.capMs, Promise.race([sendingDone, cap]), stats);
  }
  const timedOut = await Promise.race([finished.then(() => false), cap]);
  const cpu = process.cpuUsage(cpuBefore);
  // With changes, a client that never reached the room's last rev also misses what came after its last.
  const missing = plan.clients.reduce((sum, _, i) => sum + expected - distinct[i]! + finalRev - Math.min(finalRev, lastRev[i]!), 0);
  return {
    event: "done",
    ...stats,
    missing,
    activityRounds: told.reduce((most, count) => Math.max(most, count), 0),
    latency: latency.toSparse(),
    ackLatency: ackLatency.toSparse(),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    timedOut,
  };
}

/** The number after `key` in a frame: the first one, which is the message's own (a reply's preview comes later). */
function numberAfter(frame: string, key: string): number {
  const at = frame.indexOf(key) + key.length;
  return Number(frame.slice(at, frame.indexOf(",", at)));
}

/** The string after `key` (ending in its opening quote) in a frame: the first one. */
function stringAfter(frame: string, key: string): string {
  const at = frame.indexOf(key) + key.length;
  return frame.slice(at, frame.indexOf('"', at));
}

/** A bench message's clientId: its sender's slot, its number, and when it was sent (ms). */
function clientIdOf(frame: string): [slot: number, n: number, sentAt: number] {
  return stringAfter(frame, '"clientId":"').split("_").map(Number) as [number, number, number];
}
