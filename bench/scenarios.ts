// The scenarios: each is a population (rooms x members) and what its senders do. One run of
// a scenario against one target starts the server, connects everyone at once (the connect
// storm), weighs the idle connections, then sends and counts every delivery.

import { scrape } from "../test/harness";
import type { TargetName } from "./client/targets";
import { Generators } from "./load/generators";
import { LatencyHistogram } from "./load/latency";
import type { ClientPlan, RunReport, Sending } from "./load/plan";
import { cpuMs, postgresCpuMs, residentKiB } from "./proc";
import { PASSWORD, type Population, startServer } from "./servers";

export interface RoomLoad extends Population {
  sending: Sending;
  capMs: number;
  /** How long connections sit idle before the server's memory is read. */
  settleMs?: number;
}

const quiet = (messagesPerSender = 0): Sending => ({ sendersPerRoom: 0, messagesPerSender, contentBytes: 0 });

export const SCENARIOS = {
  /** Throughput: 10 senders as fast as their acknowledgements allow, every message stored. */
  "one-room-100": { rooms: 1, membersPerRoom: 100, sending: { sendersPerRoom: 10, messagesPerSender: 500, window: 4, contentBytes: 64 }, capMs: 60_000 },
  "one-room": { rooms: 1, membersPerRoom: 1000, sending: { sendersPerRoom: 10, messagesPerSender: 100, window: 4, contentBytes: 64 }, capMs: 60_000 },
  "one-room-5000": { rooms: 1, membersPerRoom: 5000, sending: { sendersPerRoom: 10, messagesPerSender: 20, window: 4, contentBytes: 64 }, capMs: 60_000 },
  /** As people and most programs send: one message, then wait for its acknowledgement. */
  "one-room-w1": { rooms: 1, membersPerRoom: 1000, sending: { sendersPerRoom: 10, messagesPerSender: 100, window: 1, contentBytes: 64 }, capMs: 60_000 },
  "one-room-5000-w1": { rooms: 1, membersPerRoom: 5000, sending: { sendersPerRoom: 10, messagesPerSender: 20, window: 1, contentBytes: 64 }, capMs: 60_000 },
  /** Latency under light load: 20 messages per second in all. */
  "light-load": { rooms: 1, membersPerRoom: 1000, sending: { sendersPerRoom: 10, messagesPerSender: 20, perSecond: 2, contentBytes: 64 }, capMs: 30_000 },
  /**
   * Connect + auth + join of 10,000 clients at once (2,000 rooms of 5), then their idle memory,
   * read 30 s after the last join. Bun collects a heap that has stopped growing for 10 s (its
   * idle full collection, BUN_IDLE_GC_SECONDS) and an idle server allocates too little to
   * collect otherwise: read at 10 s, the number raced that collection and held the storm's
   * garbage or not (at 10,000: 38.6 and 16.5 KiB per connection in two runs of the same code).
   */
  "connect-storm": { rooms: 2000, membersPerRoom: 5, sending: quiet(), capMs: 30_000, settleMs: 30_000 },
  /** Many small rooms, everyone talking. */
  "small-rooms": { rooms: 1000, membersPerRoom: 5, sending: { sendersPerRoom: 5, messagesPerSender: 4, window: 1, contentBytes: 64 }, capMs: 60_000 },
  /**
   * one-room-100 with changes (ChatLoop only): per 10 messages a sender also sends one as a
   * reply, edits one and adds two reactions, and every member says it is typing every 2 s.
   * 100 members, not 1,000: everyone typing in a room of n makes n x (n - 1) typing frames
   * every 2 s, 500,000 a second at 1,000, which starved the messages (5 of 1,000 in a minute).
   */
  mixed: {
    rooms: 1,
    membersPerRoom: 100,
    sending: { sendersPerRoom: 10, messagesPerSender: 500, window: 4, contentBytes: 64, changes: { roundMessages: 10, reactions: ["👍", "🎉"], typingEveryMs: 2000 } },
    capMs: 60_000,
  },
  /** One room of 1,000 split over two ChatLoop instances sharing PostgreSQL and Redis. */
  "two-instances": { rooms: 1, membersPerRoom: 1000, instances: 2, sending: { sendersPerRoom: 10, messagesPerSender: 100, window: 4, contentBytes: 64 }, capMs: 60_000 },
} satisfies Record<string, RoomLoad>;

export type ScenarioName = keyof typeof SCENARIOS | "history" | "unread" | "search" | "export";

/** How long connections sit idle before their memory is read, unless the scenario says. */
const SETTLE_MS = 3000;

export async function runRoomLoad(scenario: string, target: TargetName, load: RoomLoad, workers: number) {
  const server = await startServer(target, load);
  const instances = server.bases.length;
  const clients: ClientPlan[] = server.usernames.map((username, i) => {
    const member = i % load.membersPerRoom;
    return {
      username,
      password: PASSWORD,
      roomId: server.rooms[Math.floor(i / load.membersPerRoom)]!,
      server: member % instances,
      senderSlot: member < load.sending.sendersPerRoom ? member : undefined,
    };
  });
  const generators = await Generators.start({ target, bases: server.bases, clients, sending: load.sending, capMs: load.capMs }, workers);
  try {
    await generators.login();
    const rssBefore = await totalRss(server.pids);
    const heapBefore = target === "chatloop" ? await heapBytes(server.bases) : undefined;
    const pids = [...server.pids, ...generators.pids];
    const connectCpuBefore = await Promise.all(pids.map(cpuMs));
    const joins = await generators.connect();
    const connectCpu = (await Promise.all(pids.map(cpuMs))).map((after, i) => after - connectCpuBefore[i]!);
    await Bun.sleep(load.settleMs ?? SETTLE_MS);
    const rssAfter = await totalRss(server.pids);
    const heapAfter = heapBefore === undefined ? undefined : await heapBytes(server.bases);
    const connected = clients.length - sum(joins.map((join) => join.failures));
    const result = {
      scenario,
      target,
      clients: clients.length,
      rooms: load.rooms,
      instances,
      connectFailures: clients.length - connected,
      connectRetries: sum(joins.map((join) => join.retries)),
      firstConnectFailure: joins.find((join) => join.firstFailure)?.firstFailure,
      connectAllMs: round(Math.max(...joins.map((join) => join.doneAt)) - Math.min(...joins.map((join) => join.startedAt))),
      connectServerCpuMs: sum(connectCpu.slice(0, instances)),
      connectGeneratorCpuMs: sum(connectCpu.slice(instances)),
      serverRssMiB: round(rssAfter / 1024),
      idleKiBPerConnection: round((rssAfter - rssBefore) / Math.max(1, connected), 2),
      // The JavaScript heap's part of that growth, live objects and garbage not yet collected alike.
      ...(heapAfter !== undefined && { idleHeapKiBPerConnection: round((heapAfter - heapBefore!) / 1024 / Math.max(1, connected), 2) }),
    };
    if (load.sending.sendersPerRoom === 0) return result;
    const cpuBefore = await Promise.all(pids.map(cpuMs));
    const databaseCpuBefore = await postgresCpuMs();
    const reports = await generators.run();
    const cpuAfter = await Promise.all(pids.map(cpuMs));
    const databaseCpuMs = (await postgresCpuMs()) - databaseCpuBefore;
    const cpu = cpuAfter.map((after, i) => after - cpuBefore[i]!);
    const delivered = delivery(reports, load);
    const [serverCpuMs, generatorCpuMs] = [sum(cpu.slice(0, instances)), sum(cpu.slice(instances))];
    // Cores busy while messages flowed: a generator near the machine's core count is the bottleneck.
    const cores = (ms: number) => round(ms / 1000 / delivered.seconds, 2);
    const busy = { serverCpuMs, generatorCpuMs, serverCores: cores(serverCpuMs), generatorCores: cores(generatorCpuMs), ...(target === "chatloop" && { databaseCpuMs }) };
    return { ...result, ...delivered, ...busy, ...(target === "chatloop" && (await fromMetrics(server.bases))) };
  } finally {
    await generators.stop();
    await server.stop();
  }
}

function delivery(reports: RunReport[], load: RoomLoad) {
  const latency = new LatencyHistogram();
  const ackLatency = new LatencyHistogram();
  for (const report of reports) {
    latency.add(report.latency);
    ackLatency.add(report.ackLatency);
  }
  const seconds = (Math.max(...reports.map((r) => r.lastReceiveAt)) - Math.min(...reports.map((r) => r.firstSendAt))) / 1000;
  const updateDeliveries = sum(reports.map((r) => r.updatesReceived));
  // Every frame that carries the room's log: new messages and, with changes, updated ones.
  const deliveries = sum(reports.map((r) => r.received)) + updateDeliveries;
  const messages = sum(reports.map((r) => r.acked));
  const changes = sum(reports.map((r) => r.changes));
  return {
    messages,
    expectedMessages: load.rooms * load.sending.sendersPerRoom * load.sending.messagesPerSender,
    deliveries,
    seconds: round(seconds, 2),
    messagesPerSecond: Math.round(messages / seconds),
    deliveriesPerSecond: Math.round(deliveries / seconds),
    ...(load.sending.changes && {
      changes,
      changesPerSecond: Math.round(changes / seconds),
      replies: sum(reports.map((r) => r.replies)),
      updateDeliveries,
      typingSent: sum(reports.map((r) => r.typingSent)),
      typingDeliveries: sum(reports.map((r) => r.typingReceived)),
      typingDeliveriesPerSecond: Math.round(sum(reports.map((r) => r.typingReceived)) / seconds),
    }),
    roomActivity: sum(reports.map((r) => r.activityReceived)),
    roomActivityPerSecond: Math.round(sum(reports.map((r) => r.activityReceived)) / seconds),
    roomActivityRounds: Math.max(...reports.map((r) => r.activityRounds)),
    p50ms: latency.quantile(0.5),
    p90ms: latency.quantile(0.9),
    p99ms: latency.quantile(0.99),
    maxMs: latency.quantile(1),
    ackP50ms: ackLatency.quantile(0.5),
    ackP99ms: ackLatency.quantile(0.99),
    missing: sum(reports.map((r) => r.missing)),
    duplicates: sum(reports.map((r) => r.duplicates)),
    outOfOrder: sum(reports.map((r) => r.outOfOrder)),
    refused: sum(reports.map((r) => r.refused)),
    timedOut: reports.some((r) => r.timedOut),
  };
}

/**
 * What ChatLoop's metrics say of the run: the changes its room feeds read back from the
 * database, as they had not come in their turn, how many messages its group commit stored
 * per statement, and how long a sendMessage took from its handler to its answer.
 */
async function fromMetrics(bases: string[]) {
  const scrapes = await Promise.all(bases.map((base) => scrape({ base })));
  const total = (name: string) => sum(scrapes.map((samples) => samples.get(name) ?? 0));
  const batches = total("chatloop_message_batch_size_count");
  const handled = 'chatloop_socket_event_duration_seconds_{part}{event="sendMessage"}';
  const sends = total(handled.replace("{part}", "count"));
  return {
    // From the frame's event reaching ChatLoop's handler to its answer (validation, rate limit, store).
    sendHandlerMeanMs: round((total(handled.replace("{part}", "sum")) / Math.max(1, sends)) * 1000, 2),
    backfilled: total("chatloop_messages_backfilled_total"),
    storeStatements: batches,
    meanBatch: round(total("chatloop_message_batch_size_sum") / Math.max(1, batches), 2),
  };
}

/** The JavaScript heap of ChatLoop's instances, in bytes, from their /metrics. */
async function heapBytes(bases: string[]): Promise<number> {
  return sum((await Promise.all(bases.map((base) => scrape({ base })))).map((samples) => samples.get("chatloop_heap_used_bytes") ?? 0));
}

const totalRss = async (pids: number[]) => sum(await Promise.all(pids.map(residentKiB)));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
