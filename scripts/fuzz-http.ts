// Sends a few thousand malformed HTTP requests to a ChatLoop on this machine and lists every
// answer of 500 or more with the request that caused it: ChatLoop must answer bad input with
// a 4xx. Bounded in requests and in time; it talks to 127.0.0.1 only.
//
//   bun scripts/fuzz-http.ts [--count 5000] [--seed 1] [--seconds 600] [--concurrency 8] [--case N] [--base http://127.0.0.1:PORT]
//
// Without --base it starts ChatLoop itself (`bun src/main.ts`, NODE_ENV=production, rate
// limits lifted): on the embedded database in a temporary folder, or on DATABASE_URL when
// that is set. The requests leave junk rows behind: give it a throwaway database. It exits 1
// when ChatLoop answered a 5xx, or died.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { generateVapidKeys } from "../src/push/keys";
import { type RunningBinary, runBinary } from "../test/binary-process";
import { type Answer, exchange } from "../test/raw-http";
import { type FuzzCase, fuzzCases } from "./fuzz/cases";
import type { Fixtures, Session } from "./fuzz/endpoints";

const REPO = join(import.meta.dir, "..");
const PASSWORD = "correct horse battery";
/** A request the server has not answered in this long is counted as unanswered (a body it still waits for, say). */
const ANSWER_TIMEOUT_MS = 3000;
const LIFTED = "1000000000/60";

const { values: args } = parseArgs({
  options: {
    count: { type: "string", default: "5000" },
    seed: { type: "string", default: "1" },
    seconds: { type: "string", default: "600" },
    concurrency: { type: "string", default: "8" },
    case: { type: "string" },
    base: { type: "string" },
  },
});
const count = bounded("count", args.count, 1, 100_000);
const seed = bounded("seed", args.seed, 0, 2 ** 31 - 1);
const deadline = Date.now() + bounded("seconds", args.seconds, 1, 3600) * 1000;
const concurrency = bounded("concurrency", args.concurrency, 1, 64);

const started = performance.now();
const server = args.base ? undefined : await startChatLoop();
const base = new URL(args.base ?? server!.base);
if (!["127.0.0.1", "localhost", "[::1]"].includes(base.hostname)) throw new Error(`fuzz-http only targets this machine; ${base.hostname} is not 127.0.0.1`);
const port = Number(base.port);
const fixtures = await makeFixtures(base.href.replace(/\/$/, ""), `127.0.0.1:${port}`);

const all = fc.sample(fuzzCases(fixtures), { seed, numRuns: count });
const chosen = args.case === undefined ? all.map((c, index) => ({ ...c, index })) : [{ ...all[Number(args.case)]!, index: Number(args.case) }];

interface Failure {
  index: number;
  fuzz: FuzzCase;
  answer: Answer;
}
const statuses = new Map<string, Map<string, number>>();
const failures: Failure[] = [];
let sent = 0;

async function worker(queue: typeof chosen) {
  for (let next = queue.shift(); next && Date.now() < deadline; next = queue.shift()) {
    const answer = await exchange(port, next.bytes, ANSWER_TIMEOUT_MS);
    sent++;
    const outcome = answer.status === undefined ? `no answer (${answer.ending})` : `${Math.floor(answer.status / 100)}xx`;
    const byKind = statuses.get(next.kind) ?? new Map<string, number>();
    byKind.set(outcome, (byKind.get(outcome) ?? 0) + 1);
    statuses.set(next.kind, byKind);
    if (answer.status !== undefined && answer.status >= 500) failures.push({ index: next.index, fuzz: next, answer });
  }
}
const queue = [...chosen];
await Promise.all(Array.from({ length: concurrency }, () => worker(queue)));

const ready = await fetch(new URL("/readyz", base)).then(
  (r) => r.status === 200,
  () => false,
);
const serverLog = server ? await stopChatLoop(server) : undefined;
report();
process.exit(failures.some((f) => answeredByChatLoop(f.answer)) || !ready ? 1 : 0);

// ---- the server ----------------------------------------------------------------------------

async function startChatLoop(): Promise<RunningBinary & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "chatloop-fuzz-"));
  const vapid = generateVapidKeys();
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl && !/^postgres(ql)?:\/\/[^/]*@?(127\.0\.0\.1|localhost)[:/]/.test(databaseUrl))
    throw new Error("DATABASE_URL must be a database on 127.0.0.1: the fuzzer fills it with junk");
  const env = {
    NODE_ENV: "production",
    JWT_SECRET: crypto.randomUUID() + crypto.randomUUID(),
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: "mailto:fuzz@chatloop.invalid",
    DATA_DIR: dataDir,
    REGISTRATION: "open", // the fuzzer signs up people of its own without a join link
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    LIMIT_LOGIN_PER_ACCOUNT: LIFTED,
    LIMIT_LOGIN_PER_ADDRESS: LIFTED,
    LIMIT_REGISTER_PER_ADDRESS: LIFTED,
    LIMIT_MESSAGES_PER_USER: LIFTED,
  };
  return Object.assign(await runBinary([process.execPath, "src/main.ts"], REPO, env), { dataDir });
}

async function stopChatLoop(running: RunningBinary & { dataDir: string }): Promise<string> {
  await running.terminate();
  rmSync(running.dataDir, { recursive: true, force: true });
  return running.stderr;
}

// ---- people and rooms to aim at ------------------------------------------------------------

async function makeFixtures(base: string, host: string): Promise<Fixtures> {
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(base + path, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, string>>;
  };
  const person = async (name: string): Promise<Session> => {
    const username = `fz_${name}_${crypto.randomUUID().slice(0, 8)}`;
    const { id } = await call("POST", "/auth/register", { username, password: PASSWORD });
    const { token } = await call("POST", "/auth/login", { username, password: PASSWORD });
    return { id: id!, username, token: token! };
  };
  const [alice, bob, spare] = [await person("alice"), await person("bob"), await person("spare")];
  const room = (await call("POST", "/rooms", { name: "fuzz lobby" }, alice.token)).id!;
  const hidden = (await call("POST", "/rooms", { name: "fuzz hideout", isPrivate: true }, alice.token)).id!;
  await call("POST", `/rooms/${room}/join`, undefined, bob.token);
  const message = (await call("POST", "/messages", { roomId: room, content: "a message to page through" }, alice.token)).id!;
  return { host, alice, bob, spare, room, hidden, message };
}

// ---- the report ----------------------------------------------------------------------------

/**
 * Whose answer it is. Everything ChatLoop's fetch handler returns carries its security
 * headers, but for the Socket.IO engine's answers; an exception that escapes the handler gets
 * Bun's bare 500, and so does the engine's own failure. Bun's HTTP parser refuses a request it
 * cannot read (400, 431, 505, ...) before ChatLoop sees it, and never with a 500.
 */
function answeredBy(answer: Answer): "ChatLoop" | "ChatLoop, a bare 500" | "Bun's HTTP parser" {
  if (answer.headers.has("x-content-type-options")) return "ChatLoop";
  return answer.status === 500 ? "ChatLoop, a bare 500" : "Bun's HTTP parser";
}

function answeredByChatLoop(answer: Answer): boolean {
  return answeredBy(answer) !== "Bun's HTTP parser";
}

function report(): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const database = args.base ? "a given server" : process.env.DATABASE_URL ? "PostgreSQL" : "embedded PGlite";
  console.log(`fuzz-http: ${sent} of ${chosen.length} requests to ${base.origin} (${database}), seed ${seed}, ${seconds} s`);
  const totals = new Map<string, number>();
  for (const [kind, outcomes] of [...statuses].sort()) {
    console.log(
      `  ${kind.padEnd(30)} ${[...outcomes]
        .sort()
        .map(([o, n]) => `${o} ${n}`)
        .join(", ")}`,
    );
    for (const [outcome, n] of outcomes) totals.set(outcome, (totals.get(outcome) ?? 0) + n);
  }
  console.log(
    `  ${"all".padEnd(30)} ${[...totals]
      .sort()
      .map(([o, n]) => `${o} ${n}`)
      .join(", ")}`,
  );
  const fromChatLoop = failures.filter((f) => answeredByChatLoop(f.answer));
  console.log(`answers >= 500: ${failures.length} (ChatLoop ${fromChatLoop.length}, Bun's HTTP parser ${failures.length - fromChatLoop.length})`);
  for (const { index, fuzz, answer } of failures.sort((a, b) => a.index - b.index)) {
    console.log(`  #${index} ${answer.status} from ${answeredBy(answer)} [${fuzz.kind}] ${fuzz.label}`);
    console.log(`      sent: "${printable(fuzz.bytes.subarray(0, 240))}"${fuzz.bytes.length > 240 ? ` ... (${fuzz.bytes.length} bytes)` : ""}`);
    console.log(`      body: "${printable(Buffer.from(answer.body.slice(0, 160), "latin1"))}"`);
  }
  console.log(`the server still answers /readyz: ${ready ? "yes" : "NO"}`);
  if (serverLog !== undefined) {
    const lines = serverLog.split("\n").filter(Boolean);
    const events = new Map<string, number>();
    const other: string[] = [];
    for (const line of lines) {
      try {
        const { level, event } = JSON.parse(line);
        events.set(`${level} ${event}`, (events.get(`${level} ${event}`) ?? 0) + 1);
      } catch {
        other.push(line);
      }
    }
    console.log(`server log, warnings and errors: ${[...events].map(([e, n]) => `${e} x${n}`).join(", ") || "nothing"}`);
    if (other.length) console.log(`server stderr that is not a log line (${other.length} lines):\n${other.slice(0, 40).join("\n")}`);
  }
  console.log(`replay one request: bun scripts/fuzz-http.ts --seed ${seed} --count ${count} --case N`);
}

/** Bytes as ASCII, every other byte as \xNN: what was sent, exactly, on one line. */
function printable(data: Uint8Array): string {
  const named: Record<number, string> = { 13: "\\r", 10: "\\n", 9: "\\t", 34: '\\"', 92: "\\\\" };
  return [...data].map((b) => named[b] ?? (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("");
}

function bounded(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
  return value;
}
