// The benchmark suite's entry point. One run:
//   bun bench/run.ts --scenario one-room [--target chatloop] [--members 1000] [--rooms 1] [--messages 100] [--runs 1] [--workers 2]
// prints a JSON line per run; `bun bench/run.ts --report` redraws the report from the latest results. The suite (`npm run bench`, or --suite) runs every scenario
// against every target a few times and writes bench/results/latest.json, BENCHMARKS.md and
// bench/results/chart.svg.
import "./defaults";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { TARGETS, type TargetName } from "./client/targets";
import { runHistory } from "./history";
import { saveResults, writeReport } from "./report";
import { type RoomLoad, runRoomLoad, SCENARIOS, type ScenarioName } from "./scenarios";
import { runExport, runSearch } from "./search";
import type { Result } from "./summary";
import { runUnread } from "./unread";

const { values: args } = parseArgs({
  options: {
    scenario: { type: "string" },
    target: { type: "string" },
    rooms: { type: "string" },
    members: { type: "string" },
    messages: { type: "string" },
    runs: { type: "string" },
    workers: { type: "string", default: "2" },
    suite: { type: "boolean", default: false },
    report: { type: "boolean", default: false },
  },
});

if (args.report) {
  await writeReport();
  process.exit(0);
}

/** Every scenario, the targets it compares (the references neither store, scale out nor know changes), and its rounds if not --runs. */
const SUITE: [ScenarioName, TargetName[], number?][] = [
  ["one-room-w1", [...TARGETS]],
  ["one-room", [...TARGETS]],
  ["light-load", [...TARGETS]],
  ["connect-storm", [...TARGETS]],
  ["history", ["chatloop"]],
  ["unread", ["chatloop"]],
  ["small-rooms", [...TARGETS]],
  ["two-instances", ["chatloop"]],
  // one-room-100 as often as the others: the report compares mixed, which adds changes to it, with it.
  ["one-room-100", [...TARGETS]],
  ["mixed", ["chatloop"]],
  // The largest room size, once: 5,000 joining one room takes ChatLoop minutes.
  ["one-room-5000", [...TARGETS], 1],
  ["one-room-5000-w1", [...TARGETS], 1],
];
/** Run on their own (`--scenario search`, `--scenario export`), not in the suite yet: BENCHMARKS.md has their section by hand. */
const ON_THEIR_OWN: [ScenarioName, TargetName[]][] = [
  ["search", ["chatloop"]],
  ["export", ["chatloop"]],
];

const workers = Number(args.workers);
const startedLoad = loadavg();
const runs = Number(args.runs ?? (args.suite ? 3 : 1));
const results: Record<string, unknown>[] = [];
// A single scenario runs against the targets it compares, or the one of them --target names.
const compared = [...SUITE, ...ON_THEIR_OWN].find(([name]) => name === args.scenario)?.[1];
if (!args.suite && !compared) throw new Error(`--scenario must be one of ${[...SUITE, ...ON_THEIR_OWN].map(([name]) => name).join(", ")}`);
if (!args.suite && args.target && !compared!.includes(args.target as TargetName)) throw new Error(`--target for ${args.scenario} must be one of ${compared!.join(", ")}`);
const plan: [ScenarioName, TargetName[], number?][] = args.suite ? SUITE : [[args.scenario as ScenarioName, args.target ? [args.target as TargetName] : compared!]];

for (const [scenario, targets, rounds] of plan) {
  for (let run = 1; run <= (args.suite ? (rounds ?? runs) : runs); run++) {
    // Targets take turns within a round, so that the machine's other load falls on all of them alike.
    for (const target of targets) {
      const result = { ...(await runOne(scenario, target)), run, date: new Date().toISOString() };
      console.log(JSON.stringify(result));
      results.push(result);
    }
  }
}
if (args.suite) await saveResults(results as Result[], startedLoad);
process.exit(0);

function runOne(scenario: ScenarioName, target: TargetName) {
  if (scenario === "history") return runHistory(args.messages ? Number(args.messages) : undefined);
  if (scenario === "unread") return runUnread(args.messages ? Number(args.messages) : undefined);
  if (scenario === "search") return runSearch(args.messages ? Number(args.messages) : undefined);
  if (scenario === "export") return runExport(args.messages ? Number(args.messages) : undefined);
  const base: RoomLoad = SCENARIOS[scenario];
  const load: RoomLoad = {
    ...base,
    rooms: Number(args.rooms ?? base.rooms),
    membersPerRoom: Number(args.members ?? base.membersPerRoom),
    sending: { ...base.sending, messagesPerSender: Number(args.messages ?? base.sending.messagesPerSender) },
  };
  return runRoomLoad(scenario, target, load, workers);
}
