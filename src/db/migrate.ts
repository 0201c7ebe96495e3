// Forward-only migrations: numbered .sql files, each applied once, in one transaction with
// its record, in file-name order. A migration that fails leaves the schema as it was.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Sql } from "./sql";

const MIGRATIONS_DIR = join(import.meta.dir, "../../migrations");

export interface Migration {
  name: string;
  sql: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), "utf8") }));
}

export async function migrate(sql: Sql, migrations = readMigrations()): Promise<string[]> {
  await sql`
    create table if not exists schema_migrations (
      name text primary key,
      applied_at timestamptz not null default now()
    )`;
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
