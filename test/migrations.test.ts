// Forward-only migrations (src/db/migrate.ts), run against a throwaway database of this
// file's own: a new PostgreSQL database in PostgreSQL mode, a new embedded one otherwise.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { migrate } from "../src/db/migrate";
import { type Migration, migrationFiles } from "../src/db/migration-files";
import { type Database, openDatabase, type Sql } from "../src/db/sql";
import { databaseUrl, freshDatabase, mode, testConfig } from "./harness";

const MIGRATIONS_DIR = join(import.meta.dir, "../migrations");

/** A new, empty PostgreSQL database (PostgreSQL mode only), dropped by `drop`. */
async function emptyDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `chatloop_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`); // a name we made, not input
  await admin.end();
  const url = new URL(databaseUrl!);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.href,
    async drop() {
      const admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Clients and databases a test made, to close and drop after it whatever happened. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(url: string, connection: postgres.Options<{}>["connection"] = {}): Sql {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection });
  cleanups.push(() => sql.end({ timeout: 1 }));
  return sql;
}

async function throwaway(): Promise<{ name: string; url: string }> {
  const database = await emptyDatabase();
  cleanups.push(() => database.drop());
  return database;
}

// The shared database: opened (and so migrated) once, as a server would open it.
let db: Database;
let removeDatabase: () => Promise<void>;

beforeAll(async () => {
  if (databaseUrl) {
    const database = await emptyDatabase();
    db = await openDatabase({ databaseUrl: database.url, dataDir: "" });
    removeDatabase = database.drop;
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), "chatloop-migrations-"));
    db = await openDatabase({ dataDir });
    removeDatabase = async () => rmSync(dataDir, { recursive: true, force: true });
  }
});
afterAll(async () => {
  await db?.close();
  await removeDatabase?.();
});

const names = (rows: readonly { name: string }[]) => rows.map((r) => r.name);
const recorded = async (sql: Sql) => names(await sql<{ name: string }[]>`select name from schema_migrations order by name`);
const tableExists = async (sql: Sql, table: string) => (await sql`select to_regclass(${table}) as t`)[0]!.t !== null;

test("opening a new database applies every .sql file in migrations/ and records each exactly once", async () => {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((file) => file.endsWith(".sql"))
    .sort();
  expect(files.length).toBeGreaterThan(0);
  // A file the runner would skip (a name not like 0001_name.sql) must not go unnoticed.
  expect(migrationFiles().map((m) => m.name)).toEqual(files);
  const counts = await db.sql<{ name: string; n: number }[]>`select name, count(*)::int as n from schema_migrations group by name order by name`;
  expect(counts.map((r) => [r.name, r.n])).toEqual(files.map((file) => [file, 1]));
  for (const table of ["users", "sessions", "rooms", "memberships", "messages"]) expect(await tableExists(db.sql, table)).toBe(true);
});

test("running the migrations again applies nothing and changes nothing", async () => {
  const before = await recorded(db.sql);
  expect(await migrate(db.sql)).toEqual([]);
  expect(await migrate(db.sql)).toEqual([]);
  expect(await recorded(db.sql)).toEqual(before);
});

test("a migration that fails throws and leaves no trace: no table, no record, and nothing after it is applied", async () => {
  const before = await recorded(db.sql);
  const broken: Migration[] = [
    ...migrationFiles(),
    { name: "9101_broken.sql", sql: "create table t_ok (id int); insert into t_ok values (1); select * from no_such_table;" },
    { name: "9102_after_broken.sql", sql: "create table t_after (id int);" },
  ];
  await expect(migrate(db.sql, broken)).rejects.toThrow(/no_such_table/);
  expect(await tableExists(db.sql, "t_ok")).toBe(false);
  expect(await tableExists(db.sql, "t_after")).toBe(false);
  expect(await recorded(db.sql)).toEqual(before);
  // The connection is still good, and a later run without the broken one is clean.
  expect(await migrate(db.sql)).toEqual([]);
});

test("a new good migration is applied once and recorded, and never again", async () => {
  const extra: Migration[] = [...migrationFiles(), { name: "9201_extra.sql", sql: "create table t_extra (id int); insert into t_extra values (1);" }];
  expect(await migrate(db.sql, extra)).toEqual(["9201_extra.sql"]);
  expect(await migrate(db.sql, extra)).toEqual([]);
  const [rows] = await db.sql`select count(*)::int as n from t_extra`;
  expect(rows!.n).toBe(1);
  const [record] = await db.sql`select count(*)::int as n from schema_migrations where name = '9201_extra.sql'`;
  expect(record!.n).toBe(1);
});

test("a migration whose name was already applied is not applied again, even with other SQL", async () => {
  const [first] = migrationFiles();
  expect(await migrate(db.sql, [{ name: first!.name, sql: "create table t_impostor (id int);" }])).toEqual([]);
  expect(await tableExists(db.sql, "t_impostor")).toBe(false);
});

test.skipIf(mode === "embedded")("a migration runs to its end on a connection whose statements are otherwise cut short (statement_timeout)", async () => {
  const database = await throwaway();
  const hurried = client(database.url, { statement_timeout: 100 });
  await expect(hurried`select pg_sleep(0.3)`).rejects.toMatchObject({ code: "57014" });
  const slow: Migration[] = [...migrationFiles(), { name: "9301_slow.sql", sql: "select pg_sleep(0.3)" }];
  expect(await migrate(hurried, slow)).toContain("9301_slow.sql");
});

// ---- two instances starting at once (PostgreSQL mode: PGlite serves one connection) ------

const logged: Migration[] = [
  { name: "9001_log.sql", sql: "create table applied_log (migration text not null)" },
  { name: "9002_once.sql", sql: "insert into applied_log values ('9002_once.sql')" },
];

/**
 * Waits until `count` sessions on the database are blocked on a lock, or `settled` is: the
 * point where the race is set up. A condition, polled with one query per round trip.
 */
async function blockedOnLocks(observer: Sql, database: string, count: number, settled: Promise<unknown>): Promise<void> {
  let done = false;
  void settled.finally(() => (done = true));
  for (;;) {
    const [row] = await observer`select count(*)::int as n from pg_stat_activity where datname = ${database} and wait_event_type = 'Lock'`;
    if (row!.n >= count || done) return;
  }
}

test.skipIf(mode === "embedded")("two instances migrating a fresh database at the same moment both succeed, and apply each migration once", async () => {
  const database = await throwaway();
  const [a, b, holder, observer] = [client(database.url), client(database.url), client(database.url), client(database.url)];
  const all = [...migrationFiles(), ...logged];

  // A third session is creating the table too: both instances find it missing and then wait
  // on it, so that when it gives up they race to create it, every time.
  const reserved = await holder.reserve();
  await reserved`begin`;
  await reserved`create table schema_migrations (name text primary key, applied_at timestamptz not null default now())`;
  const both = Promise.allSettled([migrate(a, all), migrate(b, all)]);
  await blockedOnLocks(observer, database.name, 2, both);
  await reserved`rollback`;
  reserved.release();

  const outcomes = await both;
  expect(outcomes.map((o) => (o.status === "rejected" ? String(o.reason) : o.status))).toEqual(["fulfilled", "fulfilled"]);
  const counts = await observer<{ name: string; n: number }[]>`select name, count(*)::int as n from schema_migrations group by name order by name`;
  expect(counts.map((r) => [r.name, r.n])).toEqual(all.map((m) => [m.name, 1]));
  const [log] = await observer`select count(*)::int as n from applied_log`;
  expect(log!.n).toBe(1);
});

test.skipIf(mode === "embedded")("two instances migrating an up-to-date database at the same moment apply a new migration exactly once", async () => {
  const database = await throwaway();
  const [a, b] = [client(database.url), client(database.url)];
  await migrate(a);
  const all = [...migrationFiles(), ...logged];
  const outcomes = await Promise.allSettled([migrate(a, all), migrate(b, all)]);
  expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled"]);
  const [log] = await a`select count(*)::int as n from applied_log`;
  expect(log!.n).toBe(1);
  const counts = await a<{ name: string; n: number }[]>`select name, count(*)::int as n from schema_migrations group by name order by name`;
  expect(counts.map((r) => [r.name, r.n])).toEqual(all.map((m) => [m.name, 1]));
});

test.skipIf(mode === "embedded")("of two instances migrating at the same moment, only the one that applied a migration reports it", async () => {
  const database = await throwaway();
  const [a, b, holder, observer] = [client(database.url), client(database.url), client(database.url), client(database.url)];
  await migrate(a);
  const all = [...migrationFiles(), ...logged];

  // Both read the same list of pending migrations, then queue behind the same lock.
  const reserved = await holder.reserve();
  await reserved`begin`;
  await reserved`lock table schema_migrations in exclusive mode`;
  const both = Promise.allSettled([migrate(a, all), migrate(b, all)]);
  await blockedOnLocks(observer, database.name, 2, both);
  await reserved`commit`;
  reserved.release();

  const outcomes = await both;
  expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled"]);
  const reported = outcomes.flatMap((o) => (o.status === "fulfilled" ? o.value : []));
  expect(reported.sort()).toEqual(logged.map((m) => m.name));
});

test.skipIf(!databaseUrl)("three instances starting at once on an empty database all start, and each migration is applied once", async () => {
  const { config, drop } = await freshDatabase(testConfig());
  try {
    const instances = await Promise.all([1, 2, 3].map(() => openDatabase(config)));
    const applied = await instances[0]!.sql<{ name: string }[]>`select name from schema_migrations order by name`;
    expect(applied.map((row) => row.name)).toEqual(
      readdirSync(join(import.meta.dir, "../migrations"))
        .filter((f) => f.endsWith(".sql"))
        .sort(),
    );
    await Promise.all(instances.map((db) => db.close()));
  } finally {
    await drop();
  }
});
