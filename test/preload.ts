// Runs once before the test files. The servers the tests start in this process log at
// LOG_LEVEL, by default warn: a line per request would bury the summary and the failures
// (LOG_LEVEL=info brings them back). Then it builds the embedded database template outside any
// hook's time limit (a first initdb takes seconds; copies of it, a fraction of one).
import { LOG_LEVELS, type LogLevel, setLogLevel } from "../src/log";
import { embeddedTemplate, mode, redisUrl } from "./harness";

const level = process.env.LOG_LEVEL || "warn";
if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
setLogLevel(level as LogLevel);
if (mode === "embedded" || !redisUrl) {
  console.error(
    "Tests of several instances are skipped: they need a PostgreSQL and a Redis shared by the instances " +
      "(TEST_DATABASE_URL and TEST_REDIS_URL; `npm run test:services` sets this machine's).",
  );
}
if (mode === "embedded") await embeddedTemplate();
