// `npm run test:quick`: the suite without the browser tests (test/e2e/) and the failure drills
// (test/drills.test.ts), which take most of its time; what they cover, `npm test` runs too.
import { readdirSync } from "node:fs";

const files = readdirSync("test")
  .filter((name) => name.endsWith(".test.ts") && name !== "drills.test.ts")
  .map((name) => `test/${name}`);
const run = Bun.spawn([process.execPath, "test", "--timeout", "30000", ...files, ...process.argv.slice(2)], { stdio: ["inherit", "inherit", "inherit"] });
process.exit(await run.exited);
