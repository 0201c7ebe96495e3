// `bun start`: reads the environment, starts ChatLoop, and stops it cleanly on a signal.
// `chatloop healthcheck` (or `bun src/main.ts healthcheck`) instead exits 0 if that server
// is ready, 1 if not.
import { ConfigError, loadConfig } from "./config";
import { isReady } from "./healthcheck";
import { log } from "./log";
import { startChatLoop } from "./server";

try {
  if (process.argv[2] === "healthcheck") process.exit((await isReady()) ? 0 : 1);
  const chatloop = await startChatLoop(loadConfig());
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, async () => {
      log.info("stopping", { signal });
      await chatloop.stop();
      process.exit(0);
    });
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`chatloop: configuration error: ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}
