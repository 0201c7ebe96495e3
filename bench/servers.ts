// The servers under test, each started as a process of its own so that its memory and CPU
// are its own: ChatLoop (`bun src/main.ts`, one instance or several, on a fresh database, limits
// lifted) or a reference server. People and rooms are put straight into ChatLoop's tables
// before it starts: the server has no knob for a cheap password hash, so each user gets a
// cheap argon2id hash (verify reads its cost from the hash) and then logs in over REST.
// The database is a fresh one on TEST_DATABASE_URL's PostgreSQL (bench/defaults.ts), or, with
// TEST_DATABASE_URL set empty, ChatLoop's embedded PGlite in a folder of its own.
import { join } from "node:path";
import postgres from "postgres";
import { openDatabase, type Sql } from "../src/db/sql";
import { type RunningBinary, runBinary } from "../test/binary-process";
import { freshDatabase, redisUrl, TEST_METRICS_TOKEN, testConfig } from "../test/harness";
import type { TargetName } from "./client/targets";

const REPO = join(import.meta.dir, "..");
export const PASSWORD = "bench password";
const LIFTED = "1000000000/60";

export interface ServerUnderTest {
  target: TargetName;
  bases: string[];
  pids: number[];
  /** Room ids: real rows for ChatLoop, made-up ids for the references. */
  rooms: string[];
  usernames: string[];
  stop(): Promise<void>;
}

export interface Population {
  rooms: number;
  membersPerRoom: number;
  /** How many ChatLoop instances, on one database and (if more than one) one Redis. */
  instances?: number;
}

/** Fixtures beyond users and rooms, written before ChatLoop starts. */
export type Prepare = (sql: Sql, rooms: string[]) => Promise<void>;

export async function startServer(target: TargetName, population: Population, prepare?: Prepare): Promise<ServerUnderTest> {
  const count = population.rooms * population.membersPerRoom;
  const usernames = Array.from({ length: count }, (_, i) => `bench${i}`);
  if (target !== "chatloop") {
    const running = await runBinary([process.execPath, join(REPO, "bench/reference", `${target}.ts`)], REPO, {});
    const rooms = Array.from({ length: population.rooms }, () => crypto.randomUUID());
    return { target, bases: [running.base], pids: [running.pid], rooms, usernames, stop: () => stopAll([running]) };
  }
  const { config, drop } = await freshDatabase(testConfig());
  const embedded = config.databaseUrl === undefined;
  const clustered = (population.instances ?? 1) > 1;
  if (embedded && clustered) throw new Error("instances share a PostgreSQL server: set TEST_DATABASE_URL");
  // ChatLoop's own opening migrates it; closed before ChatLoop starts, as an embedded folder has one process at a time.
  const db = await openDatabase(config);
  // Fixtures are bulk writes that run longer than ChatLoop lets a statement run (its pool's
  // deadlines, src/db/timeouts.ts): on PostgreSQL they have a connection of their own. PGlite has no deadlines.
  const fixtures = config.databaseUrl ? postgres(config.databaseUrl, { max: 1, onnotice: () => {}, fetch_types: false }) : db.sql;
  let rooms: string[];
  try {
    rooms = await populate(fixtures, usernames, population, config.passwordHashing);
    await prepare?.(fixtures, rooms);
  } finally {
    if (fixtures !== db.sql) await fixtures.end();
    await db.close();
  }
  const env = {
    ...(embedded ? { DATA_DIR: config.dataDir } : { DATABASE_URL: config.databaseUrl!, DATA_DIR: "/tmp" }),
    JWT_SECRET: config.jwtSecret,
    // For what the bench reads from /metrics after a run (scenarios.ts).
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    LIMIT_LOGIN_PER_ACCOUNT: LIFTED,
    LIMIT_LOGIN_PER_ADDRESS: LIFTED,
    LIMIT_REGISTER_PER_ADDRESS: LIFTED,
    LIMIT_MESSAGES_PER_USER: LIFTED,
    ...(clustered ? { REDIS_URL: redisUrl!, REDIS_PREFIX: config.redisPrefix } : {}),
  };
  const instances: RunningBinary[] = [];
  // BENCH_CPU_PROFILE=<folder>: each ChatLoop instance writes a CPU profile there as it stops (bun --cpu-prof).
  const profile = process.env.BENCH_CPU_PROFILE ? ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  for (let i = 0; i < (population.instances ?? 1); i++) instances.push(await runBinary([process.execPath, ...profile, "src/main.ts"], REPO, env));
  return {
    target,
    bases: instances.map((instance) => instance.base),
    pids: instances.map((instance) => instance.pid),
    rooms,
    usernames,
    async stop() {
      await stopAll(instances);
      await drop();
    },
  };
}

async function stopAll(running: RunningBinary[]): Promise<void> {
  await Promise.all(running.map((process) => process.terminate(10_000)));
}

/** Users (in batches: a statement takes at most 65,535 parameters) and public rooms, each owned by its first member. */
export async function populate(sql: Sql, usernames: string[], population: Population, hashing: { memoryCost: number; timeCost: number }): Promise<string[]> {
  const hash = await Bun.password.hash(PASSWORD, { algorithm: "argon2id", ...hashing });
  const ids: string[] = [];
  for (let i = 0; i < usernames.length; i += 10_000) {
    const rows = usernames.slice(i, i + 10_000).map((username) => ({ username, password_hash: hash }));
    ids.push(...(await sql<{ id: string }[]>`insert into users ${sql(rows)} returning id`).map((row) => row.id));
  }
  const owners = Array.from({ length: population.rooms }, (_, r) => ({ name: `bench room ${r}`, owner_id: ids[r * population.membersPerRoom]! }));
  return (await sql<{ id: string }[]>`insert into rooms ${sql(owners)} returning id`).map((row) => row.id);
}
