// Migrations on a shared PostgreSQL: instances that start together (as compose starts them)
// must all come up, with each migration applied exactly once.
import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../src/db/sql";
import { databaseUrl, freshDatabase, testConfig } from "./harness";

test.skipIf(!databaseUrl)("three instances starting at once on an empty database all start, and each migration is applied once", async () => {
  const { config, drop } = await freshDatabase(testConfig());
  try {
    const instances = await Promise.all([1, 2, 3].map(() => openDatabase(config)));
    const applied = await instances[0]!.sql<{ name: string }[]>`select name from schema_migrations order by name`;
    expect(applied.map((row) => row.name)).toEqual(readdirSync(join(import.meta.dir, "../migrations")).filter((f) => f.endsWith(".sql")).sort());
    await Promise.all(instances.map((db) => db.close()));
  } finally {
    await drop();
  }
});
