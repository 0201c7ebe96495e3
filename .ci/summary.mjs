// Adds up bun's junit reports into the one line CI reads: "N passed, N failed".
import { existsSync, readFileSync } from "node:fs";

let tests = 0,
  failed = 0,
  skipped = 0,
  missing = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    missing++;
    console.log(`${file}: no report (the run did not finish)`);
    continue;
  }
  const root = readFileSync(file, "utf8").match(/<testsuites\b[^>]*>/)?.[0] ?? "";
  const attr = (name) => Number(root.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
  tests += attr("tests");
  failed += attr("failures") + attr("errors");
  skipped += attr("skipped");
  console.log(`${file}: ${attr("tests")} tests, ${attr("failures") + attr("errors")} failed, ${attr("skipped")} skipped`);
}
console.log(`${tests - failed - skipped} passed, ${failed + missing} failed, ${skipped} skipped`);
process.exit(failed + missing > 0 || tests === 0 ? 1 : 0);
