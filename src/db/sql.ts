// The one PostgreSQL client: a real server when DATABASE_URL is set, else the embedded one.
import postgres from "postgres";
import { type Config, DEFAULT_POOL_SIZE } from "../config";
import { startEmbeddedPostgres } from "./embedded";
import { migrate } from "./migrate";
import { DeadlinePool } from "./timeouts";

export type Sql = postgres.Sql<{}>;
/** What a function that only runs queries takes: the pool, or a transaction of it. */
export type Queries = postgres.ISql<{}>;

/** On close, queries still running get this long; a connection broken by a restart can otherwise hold it up. */
const CLOSE_TIMEOUT_SECONDS = 2;

export interface Database {
  sql: Sql;
  /** Queries the pool runs at once. */
  connections: number;
  close(): Promise<void>;
}

export async function openDatabase(config: Pick<Config, "databaseUrl" | "databasePoolSize" | "dataDir">): Promise<Database> {
  // fetch_types: on every (re)connection the driver otherwise runs a query whose promise it
  // drops; a connection lost during it (a database restart) is an unhandled rejection, which
  // ends the process. ChatLoop passes no array parameters, so it needs no array types.
  const common = { onnotice: () => {}, fetch_types: false };
  if (config.databaseUrl) {
    // While the server is away, a query fails within about a second (the driver's default
    // backoff queues it for up to 20 s): the caller gets `unavailable` and can retry.
    // A server that stops answering fails a query within ANSWER_DEADLINE_MS (see timeouts.ts).
    const connections = config.databasePoolSize ?? DEFAULT_POOL_SIZE;
    const pool = new DeadlinePool((deadlines) => postgres(config.databaseUrl!, { ...common, ...deadlines, max: connections, backoff: () => 0.1, connect_timeout: 5 }));
    await migrate(pool.withoutDeadline);
    return { sql: pool.sql, connections, close: () => pool.end(CLOSE_TIMEOUT_SECONDS) };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir);
  // No timeouts: PGlite runs inside this process, so it cannot stop answering apart from it,
  // and it ignores statement_timeout. A query waiting for its one connection is only queued.
  // PGlite runs one query at a time; a pool larger than one only queues and can hang.
  // Its user is named, or the driver asks the OS, and a container's arbitrary uid has no name.
  const sql = postgres({ ...common, path: embedded.socketPath, max: 1, username: "postgres", database: "postgres" });
  try {
    await migrate(sql);
  } catch (error) {
    await sql.end();
    await embedded.stop();
    throw error;
  }
  return {
    sql,
    connections: 1,
    async close() {
      await sql.end({ timeout: CLOSE_TIMEOUT_SECONDS });
      await embedded.stop();
    },
  };
}

/** True when `error` is PostgreSQL refusing a row for breaking the named unique constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint_name?: string } | null;
  return e?.code === "23505" && e.constraint_name === constraint;
}
