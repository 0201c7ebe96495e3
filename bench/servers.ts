// The servers under test, each started as a process of its own so that its memory and CPU
// are its own: ChatLoop (`bun src/main.ts`, one or two instances, on a fresh PostgreSQL
// database, limits lifted) or a reference server. People and rooms are put straight into
// ChatLoop's tables: the server has no knob for a cheap password hash, so each user gets a
// cheap argon2id hash (verify reads its cost from the hash) and then logs in over REST.
import { join } from "node:path";
import postgres from "postgres";
import type { TargetName } from "./client/targets";
import { freshDatabase, redisUrl, testConfig } from "../test/harness";
import { runBinary, type RunningBinary } from "../test/binary-process";

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
  /** ChatLoop's database, for fixtures beyond users and rooms. */
  sql?: postgres.Sql;
  stop(): Promise<void>;
}

export interface Population {
  rooms: number;
  membersPerRoom: number;
  /** Two ChatLoop instances on one database, through Redis. */
  instances?: 1 | 2;
}

export async function startServer(target: TargetName, population: Population): Promise<ServerUnderTest> {
  const count = population.rooms * population.membersPerRoom;
  const usernames = Array.from({ length: count }, (_, i) => `bench${i}`);
  if (target !== "chatloop") {
    const running = await runBinary([process.execPath, join(REPO, "bench/reference", `${target}.ts`)], REPO, {});
    const rooms = Array.from({ length: population.rooms }, () => crypto.randomUUID());
    return { target, bases: [base(running)], pids: [running.pid], rooms, usernames, stop: () => stopAll([running]) };
  }
  const { config, drop } = await freshDatabase(testConfig());
  const env = {
    DATABASE_URL: config.databaseUrl!,
    JWT_SECRET: config.jwtSecret,
    DATA_DIR: "/tmp",
    LIMIT_LOGIN_PER_ACCOUNT: LIFTED,
    LIMIT_LOGIN_PER_ADDRESS: LIFTED,
    LIMIT_REGISTER_PER_ADDRESS: LIFTED,
    LIMIT_MESSAGES_PER_USER: LIFTED,
    ...(population.instances === 2 ? { REDIS_URL: redisUrl!, REDIS_PREFIX: config.redisPrefix } : {}),
  };
  const instances: RunningBinary[] = [];
  for (let i = 0; i < (population.instances ?? 1); i++) instances.push(await runBinary([process.execPath, "src/main.ts"], REPO, env));
  const sql = postgres(config.databaseUrl!, { max: 4, onnotice: () => {} });
  const rooms = await populate(sql, usernames, population, config.passwordHashing);
  return {
    target,
    bases: instances.map(base),
    pids: instances.map((instance) => instance.pid),
    rooms,
    usernames,
    sql,
    async stop() {
      await stopAll(instances);
      await sql.end();
      await drop();
    },
  };
}

const base = (running: RunningBinary) => running.url.replace(/\/$/, "");

async function stopAll(running: RunningBinary[]): Promise<void> {
  for (const process of running) process.kill("SIGTERM");
  await Promise.all(running.map((process) => Promise.race([process.exited, Bun.sleep(10_000).then(() => process.kill("SIGKILL"))])));
}

/** Users (in batches: a statement takes at most 65,535 parameters) and public rooms, each owned by its first member. */
export async function populate(sql: postgres.Sql, usernames: string[], population: Population, hashing: { memoryCost: number; timeCost: number }): Promise<string[]> {
  const hash = await Bun.password.hash(PASSWORD, { algorithm: "argon2id", ...hashing });
  const ids: string[] = [];
  for (let i = 0; i < usernames.length; i += 10_000) {
    const rows = usernames.slice(i, i + 10_000).map((username) => ({ username, password_hash: hash }));
    ids.push(...(await sql<{ id: string }[]>`insert into users ${sql(rows)} returning id`).map((row) => row.id));
  }
  const owners = Array.from({ length: population.rooms }, (_, r) => ({ name: `bench room ${r}`, owner_id: ids[r * population.membersPerRoom]! }));
  return (await sql<{ id: string }[]>`insert into rooms ${sql(owners)} returning id`).map((row) => row.id);
}
