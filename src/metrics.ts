// Prometheus metrics in the text exposition format: a few counters, gauges and histograms,
// kept in memory per instance (Prometheus adds them up across instances), and the process's
// own: CPU, memory, heap, open files, event-loop lag. By hand rather than with prom-client,
// whose defaults on Bun 1.4.5 report a Node version Bun is not, zero handles, zero heap
// spaces and a "heap" of gigabytes of reserved address space; garbage collection cannot be
// measured on Bun at all (it emits no "gc" performance entries), so it is not reported.
import { heapSize } from "bun:jsc";
import { readdirSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

type Labels = Record<string, string | number>;

/** One series per set of label values, whatever order the names come in; cheap, since it runs per message. */
const key = (labels: Labels) => {
  let k = "";
  for (const name of Object.keys(labels).sort()) k += `${name}=${labels[name]}\u0000`;
  return k;
};
const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/["\\\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`))}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};

interface Metric {
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    const entry = this.values.get(k) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(k, entry);
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`, ...[...this.values.values()].map((e) => `${this.name}${labelText(e.labels)} ${e.value}`)];
  }
}

/** A value read when scraped, from the thing it measures: a gauge, or a counter kept elsewhere (CPU time). */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
    private readonly type: "gauge" | "counter" = "gauge",
  ) {}

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, `${this.name} ${this.read()}`];
  }
}

/** How late timers ran since the last scrape: the median, the 99th percentile and the worst, in seconds. */
class EventLoopLag implements Metric {
  private readonly delays = monitorEventLoopDelay({ resolution: 10 });
  readonly name = "chatloop_event_loop_lag_seconds";
  constructor() {
    this.delays.enable();
  }

  render(): string[] {
    const seconds = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
    const lines = [
      `# HELP ${this.name} How late the event loop ran a 10 ms timer, since the last scrape: quantile 0.5, 0.99 and 1 (the worst)`,
      `# TYPE ${this.name} gauge`,
      `${this.name}{quantile="0.5"} ${seconds(this.delays.percentile(50))}`,
      `${this.name}{quantile="0.99"} ${seconds(this.delays.percentile(99))}`,
      `${this.name}{quantile="1"} ${seconds(this.delays.max)}`,
    ];
    this.delays.reset();
    return lines;
  }
}

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const startedAt = Date.now() / 1000;
/** Open file descriptors, where /proc tells (Linux). */
const openFds = () => readdirSync("/proc/self/fd").length;

/**
 * The process and its runtime, under the names Prometheus's own clients use where there is one:
 * made once per process (the lag's timer too), however many instances a test starts in it.
 */
let processMetrics: Metric[] | undefined;
const ofTheProcess = (): Metric[] =>
  (processMetrics ??= [
    new Gauge("process_cpu_seconds_total", "User and system CPU time spent, in seconds", cpuSeconds, "counter"),
    new Gauge("process_resident_memory_bytes", "Resident memory size, in bytes", () => process.memoryUsage.rss()),
    new Gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds", () => startedAt),
    // heapSize, not heapStats(), which walks the whole heap (70 ms at 3 million objects).
    new Gauge("chatloop_heap_used_bytes", "JavaScriptCore heap in use, in bytes", heapSize),
    ...(process.platform === "linux" ? [new Gauge("process_open_fds", "Open file descriptors", openFds)] : []),
    new EventLoopLag(),
  ]);

export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((le, i) => value <= le && s.counts[i]!++);
    s.sum += value;
    s.count++;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket${labelText({ ...s.labels, le })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`, `${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

/** Seconds: from a millisecond up to ten seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export function createMetrics(gauges: { connections: () => number; watchedRooms: () => number }) {
  const metrics = {
    httpRequests: new Counter("chatloop_http_requests_total", "HTTP requests answered, by route and status"),
    httpDuration: new Histogram("chatloop_http_request_duration_seconds", "Time to answer an HTTP request", LATENCY_BUCKETS),
    socketEvents: new Counter("chatloop_socket_events_total", "Socket.IO events handled, by event and outcome"),
    socketEventDuration: new Histogram("chatloop_socket_event_duration_seconds", "Time to answer a Socket.IO event (for sendMessage: until stored)", LATENCY_BUCKETS),
    messagesStored: new Counter("chatloop_messages_stored_total", "Messages stored (and numbered) by this instance"),
    messagesDelivered: new Counter("chatloop_messages_delivered_total", "newMessage deliveries to this instance's sockets"),
    messageBatchSize: new Histogram("chatloop_message_batch_size", "Messages stored together in one statement (group commit)", [1, 2, 5, 10, 20, 50, 100, 200, 500]),
    messagesBackfilled: new Counter("chatloop_messages_backfilled_total", "Messages a room feed read from the log because pub/sub had not brought them"),
    pushes: new Counter(
      "chatloop_pushes_total",
      "Web Push notifications by outcome: delivered, retried, gone (subscription removed), failed, dropped (too many waiting: a push, or a message before its pushes were known), skipped (a socket of theirs is open)",
    ),
    connections: new Gauge("chatloop_socket_connections", "Open Socket.IO connections on this instance", gauges.connections),
    watchedRooms: new Gauge("chatloop_rooms_watched", "Rooms with sockets on this instance", gauges.watchedRooms),
  };
  const all: Metric[] = [...Object.values(metrics), ...ofTheProcess()];
  return { ...metrics, render: () => all.flatMap((m) => m.render()).join("\n") + "\n" };
}

export type Metrics = ReturnType<typeof createMetrics>;
