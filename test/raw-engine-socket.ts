// A WebSocket that speaks Engine.IO and Socket.IO by hand, for tests that send what no
// official client would: each frame received, whether the server hung up, and bounded waits.
import { expect } from "bun:test";

/** A hung server fails the test instead of stalling it. */
const WAIT_MS = 5000;

const open = new Set<WebSocket>();

/** Closes every raw socket a test left open. */
export function closeRawSockets(): void {
  for (const ws of open) ws.close();
  open.clear();
}

function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: Timer | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_MS} ms`)), WAIT_MS)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function rawEngineSocket(base: string) {
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`);
  ws.binaryType = "arraybuffer";
  open.add(ws);
  const frames: string[] = [];
  let closed = false;
  let wake = () => {};
  ws.addEventListener("message", (event) => {
    frames.push(typeof event.data === "string" ? event.data : "<binary>");
    wake();
  });
  ws.addEventListener("close", () => {
    closed = true;
    wake();
  });
  await bounded(
    new Promise((resolve, reject) => {
      ws.addEventListener("open", resolve, { once: true });
      ws.addEventListener("error", reject, { once: true });
    }),
    "WebSocket upgrade",
  );
  /** The first frame from `from` on that passes `test`, or "closed" once the server has hung up. */
  function until(test: (frame: string) => boolean, from = 0): Promise<string> {
    return bounded(
      (async () => {
        for (;;) {
          const found = frames.slice(from).find(test);
          if (found !== undefined) return found;
          if (closed) return "closed";
          await new Promise<void>((resolve) => (wake = resolve));
        }
      })(),
      "frame",
    );
  }
  return { ws, frames, until };
}

/** A raw socket past the Engine.IO open and the Socket.IO CONNECT, signed in with `token`. */
export async function rawConnected(base: string, token: string) {
  const raw = await rawEngineSocket(base);
  expect(await raw.until((frame) => frame.startsWith("0{"))).toStartWith("0{");
  raw.ws.send(`40${JSON.stringify({ token })}`);
  expect(await raw.until((frame) => frame.startsWith("40"))).toMatch(/^40\{"sid":/);
  return raw;
}
