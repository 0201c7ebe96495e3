// The compiled binary's size, its cold start (exec to the first 200 from /readyz) on a new
// data folder (initdb) and again on the same folder, and its resident memory once ready,
// as JSON. Run `npm run build` first, or name another executable:
//   bun bench/binary.ts [path/to/chatloop]
import { rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { aloneInAFolder, runBinary } from "../test/binary-process";

const binary = aloneInAFolder(resolve(process.argv[2] ?? join(import.meta.dir, "../dist/chatloop")));
const dir = dirname(binary);

async function coldStart() {
  const running = await runBinary(binary, dir, { DATA_DIR: join(dir, "data") });
  const result = { readyMs: Math.round(running.readyMs), rssMiB: Math.round(running.rss() / 2 ** 20) };
  const exitCode = await running.terminate();
  if (exitCode !== 0) throw new Error(`exit code ${exitCode} after SIGTERM`);
  return result;
}

const sizeMiB = Math.round((statSync(binary).size / 2 ** 20) * 10) / 10;
const firstRun = await coldStart(); // creates the database (initdb, migrations)
const secondRun = await coldStart(); // reopens it
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ binary: process.argv[2] ?? "dist/chatloop", sizeMiB, firstRun, secondRun }, null, 2));
