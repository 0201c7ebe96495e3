// `bun start`: reads the environment, starts ChatLoop, and stops it cleanly on a signal.
// `chatloop healthcheck` (or `bun src/main.ts healthcheck`) instead exits 0 if that server
// is ready, 1 if not; `chatloop vapid-keys` prints a new VAPID key pair for the environment.
import { ConfigError, loadConfig } from "./config";
import { isReady } from "./healthcheck";
import { log, setLogLevel } from "./log";
import { generateVapidKeys } from "./push/keys";
import { startChatLoop } from "./server";

/** A stop that takes longer than this is cut short (orchestrators wait 30 s before SIGKILL). */
const SHUTDOWN_DEADLINE_MS = 10_000;

try {
  if (process.argv[2] === "healthcheck") process.exit((await isReady()) ? 0 : 1);
  if (process.argv[2] === "vapid-keys") {
    const { publicKey, privateKey } = generateVapidKeys();
    console.log(`VAPID_PUBLIC_KEY=${publicKey}\nVAPID_PRIVATE_KEY=${privateKey}`);
    process.exit(0);
  }
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const chatloop = await startChatLoop(config);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, async () => {
      log.info("stopping", { signal });
      const stopped = await Promise.race([chatloop.stop().then(() => true), Bun.sleep(SHUTDOWN_DEADLINE_MS).then(() => false)]);
      log.info(stopped ? "stopped" : "stop_deadline_passed", { deadlineMs: SHUTDOWN_DEADLINE_MS });
      process.exit(stopped ? 0 : 1);
    });
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`chatloop: configuration error: ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}
