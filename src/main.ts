// `bun start`: reads the environment, starts ChatLoop, and stops it cleanly on a signal.
import { ConfigError, loadConfig } from "./config";
import { log } from "./log";
import { startChatLoop } from "./server";

try {
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
