// Forward-only migrations: numbered .sql files, each applied once, in one transaction with
// its record, in file-name order. A migration that fails leaves the schema as it was.
import { migrationFiles, type Migration } from "./migration-files" with { type: "macro" };
import type { Sql } from "./sql";

// The folder's contents, inlined when this module is transpiled (see migration-files.ts).
const MIGRATIONS: Migration[] = migrationFiles();

export async function migrate(sql: Sql, migrations = MIGRATIONS): Promise<string[]> {
  await sql.begin(async (tx) => {
    // `if not exists` is no guard against a second instance creating the table at the same
    // moment (a unique violation in pg_type): instances that start together take turns.
    await tx`select pg_advisory_xact_lock(hashtext('chatloop.schema_migrations'))`;
    await tx`
      create table if not exists schema_migrations (
        name text primary key,
        applied_at timestamptz not null default now()
      )`;
  });
  const applied = new Set((await sql<{ name: string }[]>`select name from schema_migrations`).map((r) => r.name));
  const pending = migrations.filter((m) => !applied.has(m.name));
  for (const migration of pending) {
    await sql.begin(async (tx) => {
      // Two instances starting together must not both apply the same migration.
      await tx`lock table schema_migrations in exclusive mode`;
      const [done] = await tx`select 1 from schema_migrations where name = ${migration.name}`;
      if (done) return;
      await tx.unsafe(migration.sql); // trusted: a file shipped with the code, never input
      await tx`insert into schema_migrations (name) values (${migration.name})`;
    });
  }
  return pending.map((m) => m.name);
}
