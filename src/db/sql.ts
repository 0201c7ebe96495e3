// The one PostgreSQL client: a real server when DATABASE_URL is set, else the embedded one.
import postgres from "postgres";
import type { Config } from "../config";
import { startEmbeddedPostgres } from "./embedded";
import { log } from "../log";
import { migrate } from "./migrate";

export type Sql = postgres.Sql<{}>;

/** On close, queries still running get this long; a connection broken by a restart can otherwise hold it up. */
const CLOSE_TIMEOUT_SECONDS = 2;

export interface Database {
  sql: Sql;
  close(): Promise<void>;
}

export async function openDatabase(config: Pick<Config, "databaseUrl" | "dataDir">): Promise<Database> {
  const quiet = { onnotice: () => {} };
  if (config.databaseUrl) {
    // While the server is away, a query fails within about a second (the driver's default
    // backoff queues it for up to 20 s): the caller gets `unavailable` and can retry.
    const sql = postgres(config.databaseUrl, { ...quiet, max: 10, backoff: () => 0.1, connect_timeout: 5 });
    await migrate(sql);
    return { sql, close: () => sql.end({ timeout: CLOSE_TIMEOUT_SECONDS }) };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir);
  // PGlite runs one query at a time; a pool larger than one only queues and can hang.
  const sql = postgres({ ...quiet, path: embedded.socketPath, max: 1 });
  try {
    await migrate(sql);
  } catch (error) {
    await sql.end();
    await embedded.stop();
    throw error;
  }
  return {
    sql,
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

/**
 * Keeps a lost database connection from killing the process. When a connection closes,
 * postgres.js removes its socket's listeners, `error` included; Bun can still report a
 * failed write on that socket afterwards, and an `error` nobody listens to is thrown at the
 * top level. The driver has already let the connection go and reconnects on the next query,
 * so that one error is logged and survived. Any other uncaught error still ends the process.
 */
export function surviveLostConnections(): void {
  if (process.listeners("uncaughtException").includes(onUncaught)) return;
  process.on("uncaughtException", onUncaught);
}

function onUncaught(error: Error & { code?: string; syscall?: string }): void {
  if (["read", "write"].includes(error.syscall ?? "") && ["ECONNRESET", "EPIPE"].includes(error.code ?? "")) {
    log.warn("connection_lost", { error: error.message });
    return;
  }
  log.error("uncaught_exception", error);
  process.exit(1);
}
