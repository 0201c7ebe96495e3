// Prometheus metrics in the text exposition format: a few counters, gauges and histograms,
// kept in memory per instance (Prometheus adds them up across instances).
type Labels = Record<string, string | number>;

/** One series per set of label values, whatever order the names come in; cheap, since it runs per message. */
const key = (labels: Labels) => {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  return names.map((name) => `${name}=${labels[name]}`).join("\u0000");
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
  constructor(readonly name: string, readonly help: string) {}

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

/** A gauge read when scraped, from the thing it measures. */
export class Gauge implements Metric {
  constructor(readonly name: string, readonly help: string, private readonly read: () => number) {}

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read()}`];
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, private readonly buckets: number[]) {}

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
    pushes: new Counter("chatloop_pushes_total", "Web Push notifications by outcome: delivered, retried, gone (subscription removed), failed, dropped (too many waiting: a push, or a message before its pushes were known), skipped (a socket of theirs is open)"),
    connections: new Gauge("chatloop_socket_connections", "Open Socket.IO connections on this instance", gauges.connections),
    watchedRooms: new Gauge("chatloop_rooms_watched", "Rooms with sockets on this instance", gauges.watchedRooms),
  };
  const all: Metric[] = Object.values(metrics);
  return { ...metrics, render: () => all.flatMap((m) => m.render()).join("\n") + "\n" };
}

export type Metrics = ReturnType<typeof createMetrics>;
