// Forward-only migrations: numbered .sql files, each applied once and recorded, in file-name
// order. A migration that fails leaves the schema as it was.
import { type Migration, migrationFiles } from "./migration-files" with { type: "macro" };
import type { Sql } from "./sql";

// The folder's contents, inlined when this module is transpiled (see migration-files.ts).
const MIGRATIONS: Migration[] = migrationFiles();

/** Any fixed number: instances that migrate at once take turns on it. */
const MIGRATION_LOCK = 7_215_338_004;

/**
 * Applies the pending migrations, all in one transaction: all of them or none. The advisory
 * lock makes instances that start together take turns (`create table if not exists` alone is
 * no guard against two at the same moment), so each migration runs exactly once.
 * Returns the names this call applied.
 */
export async function migrate(sql: Sql, migrations = MIGRATIONS): Promise<string[]> {
  return sql.begin(async (tx) => {
    // The request path's statement_timeout does not apply: a migration, or the wait for
    // another instance's, may take minutes, and one cut short would stop the start.
    await tx`set local statement_timeout = 0`;
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`
      create table if not exists schema_migrations (
        name text primary key,
        applied_at timestamptz not null default now()
      )`;
    const applied = new Set((await tx<{ name: string }[]>`select name from schema_migrations`).map((r) => r.name));
    const pending = migrations.filter((m) => !applied.has(m.name));
    for (const migration of pending) {
      await tx.unsafe(migration.sql); // trusted: a file shipped with the code, never input
      await tx`insert into schema_migrations (name) values (${migration.name})`;
    }
    return pending.map((m) => m.name);
  });
}
