// Imported as a macro (`with { type: "macro" }`): it runs when the importing module is
// transpiled, by `bun` in development and by `bun build --compile`, and its result is
// inlined as a literal. So the binary carries the migrations, and a new .sql file in
// migrations/ is picked up by both without another list to edit.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Migration {
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = join(import.meta.dir, "../../migrations");

export function migrationFiles(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(MIGRATIONS_DIR, name), "utf8") }));
}
