// Writes the suite's results: bench/results/latest.json, the chart (SVG, and PNG when
// rsvg-convert is installed) and BENCHMARKS.md with the tables, the targets and the commands.
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { chartSvg, format } from "./chart";
import { cell, type Result, ratio, ratioToScenario, total } from "./summary";

const ROOT = join(import.meta.dir, "..");
const RESULTS = join(import.meta.dir, "results");
const LATEST = join(RESULTS, "latest.json");
/** What was measured outside the suite, by hand or one scenario at a time, with its dates: copied into BENCHMARKS.md. */
const FINDINGS = join(import.meta.dir, "findings.md");

const COLUMNS: [string, string][] = [
  ["deliveriesPerSecond", "deliveries/s"],
  ["messagesPerSecond", "messages/s"],
  ["p50ms", "p50 ms"],
  ["p99ms", "p99 ms"],
  ["ackP50ms", "ack p50 ms"],
  ["ackP99ms", "ack p99 ms"],
  ["connectAllMs", "all joined ms"],
  ["idleKiBPerConnection", "idle KiB/conn"],
  ["serverRssMiB", "server RSS MiB"],
  ["serverCores", "server cores busy"],
  ["generatorCores", "generator cores busy"],
  ["databaseCpuMs", "PostgreSQL CPU while sending ms"],
  ["meanBatch", "messages per store statement"],
  ["connectServerCpuMs", "server CPU for the connects ms"],
];
/** mixed beside the scenario it adds changes to. */
const CHANGES_COLUMNS: [string, string][] = [
  ["messagesPerSecond", "messages/s"],
  ["changesPerSecond", "changes/s"],
  ["deliveriesPerSecond", "deliveries/s"],
  ["typingDeliveriesPerSecond", "typing frames/s"],
  ["ackP50ms", "sendMessage ack p50 ms"],
  ["ackP99ms", "sendMessage ack p99 ms"],
  ["p50ms", "delivery p50 ms"],
  ["p99ms", "delivery p99 ms"],
  ["backfilled", "read back by the room feed"],
];
const HISTORY_COLUMNS = ["newestP50ms", "newestP99ms", "middleP50ms", "middleP99ms", "oldestP50ms", "oldestP99ms"];
/** Scenarios with tables of their own: their numbers are not a room load's. */
const OWN_TABLES = ["history", "unread"];
const REFERENCES = ["raw-bun", "plain-socketio"];

/** Keeps a suite's results with the machine they were measured on, then writes the report. */
export async function saveResults(results: Result[], startedLoad: number[]): Promise<void> {
  const machine: Machine = {
    nproc: navigator.hardwareConcurrency,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    bun: Bun.version,
    loadAverageAtStart: startedLoad.map((l) => Math.round(l * 100) / 100),
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  const saved: Saved = { date: new Date().toISOString(), machine, results };
  await Bun.write(LATEST, JSON.stringify(saved, null, 2) + "\n");
  await writeReport(saved);
}

/** The chart and BENCHMARKS.md, from saved results (`bun bench/run.ts --report` redraws the latest). */
export async function writeReport(saved?: Saved): Promise<void> {
  const { date, machine, results }: Saved = saved ?? JSON.parse(await Bun.file(LATEST).text());
  await Bun.write(join(RESULTS, "chart.svg"), chartSvg(results));
  if (Bun.which("rsvg-convert")) Bun.spawnSync(["rsvg-convert", "-o", join(RESULTS, "chart.png"), join(RESULTS, "chart.svg")]);
  else console.warn("rsvg-convert is not installed (Debian: librsvg2-bin): chart.png was not redrawn");
  const findings = await Bun.file(FINDINGS).text();
  await Bun.write(join(ROOT, "BENCHMARKS.md"), markdown(results, machine, new Date(date), findings));
}

type Machine = { nproc: number; cpu: string; memoryGiB: number; bun: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
interface Saved {
  date: string;
  machine: Machine;
  results: Result[];
}

function markdown(results: Result[], machine: Machine, date: Date, findings: string): string {
  const groups = [...new Set(results.map((r) => `${r.scenario}\t${r.target}`))].map((key) => key.split("\t") as [string, string]);
  const runs = groups.filter(([scenario]) => !OWN_TABLES.includes(scenario));
  const shown = (metric: string) => runs.some(([s, t]) => cell(results, s, t, metric));
  const columns = COLUMNS.filter(([metric]) => shown(metric));
  return `# Benchmarks

Written by \`npm run bench\` (bench/run.ts --suite) on ${date.toISOString().slice(0, 16).replace("T", " ")} UTC. Do not edit by hand.

Machine: ${machine.nproc} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Bun ${machine.bun}; load average
${machine.loadAverageAtStart.join(" / ")} at the start and ${machine.loadAverageAtEnd.join(" / ")} at the end (the suite's own
load included). Every number is the median of the runs, with the slowest and fastest run in brackets.
The server under test, the generator processes and PostgreSQL all share these cores.

## Targets

${targetsTable(results)}

## Results

Medians of the runs [min-max]. Each scenario's targets took turns within a round.

| scenario | target | runs | ${columns.map(([, title]) => title).join(" | ")} | lost | duplicates | out of order | failed connects |
| --- | --- | --- | ${columns.map(() => "---").join(" | ")} | --- | --- | --- | --- |
${runs
  .map(([s, t]) => {
    const runsCount = results.filter((r) => r.scenario === s && r.target === t).length;
    const values = columns.map(([metric]) => show(cell(results, s, t, metric)));
    const faults = ["missing", "duplicates", "outOfOrder", "connectFailures"].map((metric) => total(results, s, t, metric));
    return `| ${s} | ${t} | ${runsCount} | ${values.join(" | ")} | ${faults.join(" | ")} |`;
  })
  .join("\n")}

## ChatLoop beside the references (ratio of medians, same suite)

| scenario | number | ChatLoop | ÷ raw Bun pub/sub | ÷ plain Socket.IO |
| --- | --- | --- | --- | --- |
${[
  ["one-room-w1", "deliveriesPerSecond"],
  ["one-room-5000-w1", "deliveriesPerSecond"],
  ["one-room-100", "deliveriesPerSecond"],
  ["one-room", "deliveriesPerSecond"],
  ["one-room-5000", "deliveriesPerSecond"],
  ["one-room-5000", "connectAllMs"],
  ["light-load", "p50ms"],
  ["light-load", "p99ms"],
  ["connect-storm", "connectAllMs"],
  ["connect-storm", "idleKiBPerConnection"],
  ["small-rooms", "messagesPerSecond"],
]
  .filter(([s, m]) => cell(results, s!, "chatloop", m!))
  .map(([s, m]) => `| ${s} | ${m} | ${show(cell(results, s!, "chatloop", m!))} | ${REFERENCES.map((ref) => ratio(results, s!, m!, ref) ?? "-").join(" | ")} |`)
  .join("\n")}

Two instances through Redis (one room of 1,000, half the members on each) deliver ${ratio2(results)}x what one instance does (one-room), medians of the same suite.

## Changes beside messages (ChatLoop)

${changesSection(results)}

## History reads (ChatLoop)

${
  cell(results, "history", "chatloop", "newestP99ms")
    ? `A room of ${format((results.find((r) => r.scenario === "history")?.messagesInRoom as number) ?? 0)} messages; pages of 50 through \`GET /messages/:roomId\`, one request at a time, ${results.find((r) => r.scenario === "history")?.reads} reads per position.

| ${HISTORY_COLUMNS.join(" | ")} |
| ${HISTORY_COLUMNS.map(() => "---").join(" | ")} |
| ${HISTORY_COLUMNS.map((metric) => show(cell(results, "history", "chatloop", metric))).join(" | ")} |`
    : "Not run."
}

## Unread counts (ChatLoop)

${unreadSection(results)}

## Measured outside the suite

Single scenarios and measurements by hand, each with its date and conditions (bench/findings.md, copied here as it is).

${findings.trim()}

## Chart

![results](bench/results/chart.png)

(bench/results/chart.svg, drawn by the bench; the PNG is rendered from it with \`rsvg-convert\` when installed.)

## How it was measured

- \`npm run bench\`: the whole suite, 3 rounds (${"`bun bench/run.ts --suite --runs 3`"}); about seven minutes here before mixed
  and one-room-100's two more rounds were added.
  \`bun bench/run.ts --report\` redraws the chart and this file from bench/results/latest.json.
- One scenario: \`bun bench/run.ts --scenario one-room --target chatloop --members 1000 --messages 100 --runs 3\`;
  scenarios: one-room-w1, one-room, one-room-100, one-room-5000, one-room-5000-w1, mixed, light-load, connect-storm, small-rooms,
  history, unread, two-instances; \`bun bench/store.ts\` times the store statement alone; \`BENCH_CPU_PROFILE=<folder>\` makes each ChatLoop
  instance write a CPU profile (bun --cpu-prof, also as Markdown) as it stops.
  targets: chatloop, raw-bun, plain-socketio.
- ChatLoop runs as its own process (\`bun src/main.ts\`) on a fresh database of this machine's PostgreSQL
  (\`TEST_DATABASE_URL\`, default \`postgres://postgres@127.0.0.1:5432/test\`), rate limits lifted through \`LIMIT_*\`;
  two-instances adds Redis (\`TEST_REDIS_URL\`). Users are inserted with a cheap argon2id hash and then log in over REST.
  With \`TEST_DATABASE_URL=\` (set, empty) ChatLoop runs on its embedded database (PGlite) instead; two-instances cannot.
- The references (bench/reference/): raw-bun.ts is Bun.serve with ws.subscribe / server.publish; plain-socketio.ts is
  socket.io with @socket.io/bun-engine. Neither authenticates nor stores.
- The generator (bench/load/worker.ts, 2 processes) speaks Engine.IO v4 / Socket.IO v5 over Bun's WebSocket and reads only
  \`seq\` and \`clientId\` out of each \`newMessage\` frame (in mixed also \`rev\`, from \`messageUpdated\` frames too).
  Every client connects and joins at once (the connect storm); idle memory is the server's RSS growth
  (/proc/PID/status) from before the connects to 3 s after (30 s in connect-storm, once Bun's idle collection has run), per connection; it includes what
  the connect storm itself allocated and the allocator kept.
- Senders put their send time in the clientId; receivers subtract it from their own clock (performance.timeOrigin +
  performance.now(), one machine). Throughput senders keep 4 messages waiting for their acknowledgement each, or 1 in
  the -w1 scenarios and small-rooms (one message, then wait for its answer, as people and most programs do); light-load
  senders are paced and take turns. "PostgreSQL CPU" is what every postgres process of the machine used while the
  messages flowed; "messages per store statement" is ChatLoop's group commit (chatloop_message_batch_size). Deliveries/s = newMessage (and messageUpdated) frames received by all clients /
  (last receipt - first send). The sendMessage ack latency is from the send to its acknowledgement, at the sender.
- Every client checks that it got each message exactly once and that seq never went backwards; in mixed, also that rev
  rose with every newMessage and messageUpdated, and that no update came before its message.
- \`bun bench/heap.ts\` weighs the live JavaScript heap of an idle joined connection after full collections, by object
  type, for ChatLoop and plain Socket.IO served in one process: the part of the idle number the code decides.

## Reading the numbers

- The generator has a floor. 1,000 receivers in two processes take a few milliseconds to read one message's fan-out,
  so light-load latencies below about 4 ms cannot be seen (raw Bun's p50 is mostly this floor), and the connect storm
  of the references (about 1.4 s for raw Bun and 1.8 s for plain Socket.IO at 10,000) is mostly the generator's own connect speed.
- Raw Bun pub/sub outruns the generator: in one-room its generator keeps more than one of the two cores busy, so raw
  Bun's deliveries/s is a lower bound and ChatLoop's ratio to it an upper bound. Against ChatLoop and plain Socket.IO the
  generator is below one core (see "generator cores busy"), but it shares the two cores with them.
- Throughput runs are closed-loop (each sender waits for acknowledgements), so their latencies are queueing under
  saturation, not a service level; light-load is the latency measurement.
- ChatLoop's own work per message that the references skip: authentication at the handshake, the membership and
  clientId checks, the rate limit, the store and its commit (group commit, one statement per batch), and the seq-ordered
  feed. Its fan-out is Bun's own: one encoded frame published to the room's topic.
- Two instances share these two cores with PostgreSQL, Redis and the generator, and each carries every message
  through Redis: here they deliver less than one instance does; on separate machines each would have its own cores.
`;
}

function targetsTable(results: Result[]): string {
  const median = (s: string, m: string, t = "chatloop") => cell(results, s, t, m)?.median;
  const rows: [string, string, boolean | undefined][] = [];
  const add = (name: string, measured: string, met: boolean | undefined) => rows.push([name, measured, met]);
  const atLeast = (value: number | undefined, floor: number) => (value === undefined ? undefined : value >= floor);
  const w1 = ratio(results, "one-room-w1", "deliveriesPerSecond", "raw-bun");
  add("one room of 1,000, 10 senders, one message at a time (window 1): >= 0.6x raw Bun pub/sub", `${w1 ?? "-"}x`, atLeast(w1, 0.6));
  const vsRaw = ratio(results, "one-room", "deliveriesPerSecond", "raw-bun");
  const vsSocketIo = ratio(results, "one-room", "deliveriesPerSecond", "plain-socketio");
  add("... four at a time (window 4): >= 0.7x raw Bun pub/sub", `${vsRaw ?? "-"}x`, atLeast(vsRaw, 0.7));
  add("... and >= 3x plain Socket.IO", `${vsSocketIo ?? "-"}x`, atLeast(vsSocketIo, 3));
  // Messages, each stored and delivered to its room, against plain Socket.IO's, which stores nothing.
  const small = ratio(results, "small-rooms", "messagesPerSecond", "plain-socketio");
  const smallStored = median("small-rooms", "messagesPerSecond");
  add(
    "1,000 rooms of 5, window 1: >= 1.3x plain Socket.IO's messages/s (ChatLoop's stored and delivered in brackets)",
    `${small ?? "-"}x (${smallStored === undefined ? "-" : format(smallStored)}/s)`,
    atLeast(small, 1.3),
  );
  const within = (metric: string, slack: number) => {
    const [ours, raw] = [median("light-load", metric), median("light-load", metric, "raw-bun")];
    const over = ours === undefined || raw === undefined ? undefined : Math.round((ours - raw) * 10) / 10;
    return [`${ours ?? "-"} ms (raw Bun ${raw ?? "-"}, ${over === undefined ? "-" : over >= 0 ? `+${over}` : over} ms)`, over === undefined ? undefined : over <= slack] as const;
  };
  add("light load: p50 within 0.5 ms of raw Bun pub/sub", ...within("p50ms", 0.5));
  add("light load: p99 within 1 ms of raw Bun pub/sub", ...within("p99ms", 1));
  const idle = median("connect-storm", "idleKiBPerConnection");
  const clients = results.find((r) => r.scenario === "connect-storm" && r.target === "chatloop")?.clients as number | undefined;
  add(
    `idle <= 8 KiB RSS per authenticated joined connection (${clients === undefined ? "-" : format(clients)} connections)`,
    `${idle ?? "-"} KiB`,
    idle === undefined ? undefined : idle <= 8,
  );
  const storm = median("connect-storm", "connectAllMs");
  add(
    `connect storm of ${clients === undefined ? "-" : format(clients)} < ${clients === undefined ? "-" : clients / 2500} s`,
    `${storm === undefined ? "-" : format(storm)} ms`,
    storm === undefined || clients === undefined ? undefined : storm < (clients / 2500) * 1000,
  );
  const history = ["newestP99ms", "middleP99ms", "oldestP99ms"].map((m) => median("history", m)).filter((v) => v !== undefined) as number[];
  add("history page of 50 from a 1M room < 5 ms p99", history.length ? `${Math.max(...history)} ms (worst position)` : "-", history.length ? Math.max(...history) < 5 : undefined);
  const unread = median("unread", "roomsP99ms");
  add(
    "GET /rooms, member of 200 rooms with 10,000 unread in each: p99 < 50 ms",
    `${unread === undefined ? "-" : format(unread)} ms`,
    unread === undefined ? undefined : unread < 50,
  );
  const faults = results
    .filter((r) => r.target === "chatloop")
    .reduce((sum, r) => sum + ["missing", "duplicates", "outOfOrder"].reduce((s, m) => s + ((r[m] as number) ?? 0), 0), 0);
  add("zero loss and zero duplicates in every run", `${faults} lost, doubled or out of order`, faults === 0);
  return `| target | ChatLoop measured | met |\n| --- | --- | --- |\n${rows.map(([name, measured, met]) => `| ${name} | ${measured} | ${met === undefined ? "not run" : met ? "yes" : "**no**"} |`).join("\n")}`;
}

function ratio2(results: Result[]): number | string {
  return ratioToScenario(results, "two-instances", "one-room", "deliveriesPerSecond") ?? "-";
}

/** mixed: what it does, its medians beside one-room-100's from the same suite, and their ratio. */
function changesSection(results: Result[]): string {
  const about = `\`mixed\` is one-room-100 (one room of 100, 10 senders, 500 messages each, 4 in flight) with the log's changes
in it: per 10 messages, each sender sends one as a reply (\`replyToId\` of a recent message), edits one of its own and
adds two reactions (👍 and 🎉) to a recent message, someone else's where it can, and every member says \`typing\` every
2 s while the senders send. A room of 100, not 1,000: everyone typing in a room of 1,000 makes 500,000 typing frames a
second, which starved the messages. Deliveries are newMessage and messageUpdated frames; typing frames are counted
apart. Every member checks that rev rises with every newMessage and messageUpdated and that no update comes before its
message ("out of order" counts both); "read back by the room feed" counts the changes that did not come to it in their
turn, so that it read them from the database. \`bun bench/run.ts --scenario mixed --runs 3\` (ChatLoop only: the
references have no such events).`;
  if (!cell(results, "mixed", "chatloop", "messagesPerSecond")) return `${about}\n\nNot in these results: \`npm run bench\` writes them.`;
  const rows = ["one-room-100", "mixed"].map((s) => {
    const runs = results.filter((r) => r.scenario === s && r.target === "chatloop").length;
    return `| ${s} | ${runs} | ${CHANGES_COLUMNS.map(([metric]) => show(cell(results, s, "chatloop", metric))).join(" | ")} | ${total(results, s, "chatloop", "outOfOrder")} |`;
  });
  const ratios = CHANGES_COLUMNS.map(([metric]) => ratioToScenario(results, "mixed", "one-room-100", metric) ?? "-");
  return `${about}

| scenario | runs | ${CHANGES_COLUMNS.map(([, title]) => title).join(" | ")} | out of order |
| --- | --- | ${CHANGES_COLUMNS.map(() => "---").join(" | ")} | --- |
${rows.join("\n")}
| mixed ÷ one-room-100 | | ${ratios.join(" | ")} | |`;
}

/** unread: the population, GET /rooms's times, and the counts every answer was checked against. */
function unreadSection(results: Result[]): string {
  const run = results.find((r) => r.scenario === "unread");
  if (!run) return "Not run.";
  const columns: [string, string][] = [
    ["roomsP50ms", "GET /rooms p50 ms"],
    ["roomsP99ms", "GET /rooms p99 ms"],
    ["failedReads", "failed reads"],
    ["buildSeconds", "writing the messages s"],
  ];
  return `One person in ${run.joinedRooms} rooms, each with ${format(run.unreadPerRoom as number)} messages by others after their read marker (1% of them
mention that person, another 1% are deleted; ${format(run.messagesWritten as number)} messages in all, written straight into the tables), and
${run.otherRooms} public rooms they are not in. \`GET /rooms\` one request at a time, ${run.reads} reads after a warm-up; every answer's counts
are checked against a scan of the messages (in all ${format(run.unreadCount as number)} unread, ${format(run.mentionCount as number)} mentions). A failed read is
ChatLoop's 503 when the statement outran its timeout.

| ${columns.map(([, title]) => title).join(" | ")} |
| ${columns.map(() => "---").join(" | ")} |
| ${columns.map(([metric]) => show(cell(results, "unread", "chatloop", metric))).join(" | ")} |`;
}

const show = (c: ReturnType<typeof cell>) => (c ? (c.runs > 1 && c.min !== c.max ? `${format(c.median)} [${format(c.min)}-${format(c.max)}]` : format(c.median)) : "");
