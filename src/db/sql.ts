// The one PostgreSQL client: a real server when DATABASE_URL is set, else the embedded one.
import postgres from "postgres";
import type { Config } from "../config";
import { startEmbeddedPostgres } from "./embedded";
import { migrate } from "./migrate";

export type Sql = postgres.Sql<{}>;

export interface Database {
  sql: Sql;
  close(): Promise<void>;
}

export async function openDatabase(config: Pick<Config, "databaseUrl" | "dataDir">): Promise<Database> {
  const quiet = { onnotice: () => {} };
  if (config.databaseUrl) {
    const sql = postgres(config.databaseUrl, { ...quiet, max: 10 });
    await migrate(sql);
    return { sql, close: () => sql.end({ timeout: 5 }) };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir);
  // PGlite runs one query at a time; a pool larger than one only queues and can hang.
  // Its user is named, or the driver asks the OS, and a container's arbitrary uid has no name.
  const sql = postgres({ ...quiet, path: embedded.socketPath, max: 1, username: "postgres", database: "postgres" });
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
      await sql.end({ timeout: 5 });
      await embedded.stop();
    },
  };
}

/** True when `error` is PostgreSQL refusing a row for breaking the named unique constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint_name?: string } | null;
  return e?.code === "23505" && e.constraint_name === constraint;
}
