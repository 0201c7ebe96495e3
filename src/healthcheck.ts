// `chatloop healthcheck`: a container's HEALTHCHECK, in an image that has no curl. Asks the
// server this environment configures whether it is ready.
import { listenAddress } from "./config";

/** Longer than /readyz's own database timeout, so that a slow database reads as "not ready". */
const TIMEOUT_MS = 3000;

export async function isReady(env: Record<string, string | undefined> = process.env): Promise<boolean> {
  const { host, port } = listenAddress(env);
  // A server that listens on every address is reached on the loopback.
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  try {
    const response = await fetch(`http://${reachable}:${port}/readyz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return response.status === 200;
  } catch {
    return false;
  }
}
