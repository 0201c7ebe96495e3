// What an open connection keeps of how it was opened: nothing ChatLoop does not read again.
// At 10,000 idle connections every object a connection keeps is 10,000 objects, and the
// handshake's are of no use once the socket is authenticated and connected.
import type { Server as Engine } from "@socket.io/bun-engine";
import type { Socket as EngineSocket } from "@socket.io/bun-engine/dist/socket";

/**
 * @socket.io/bun-engine (pinned 0.1.2) forgets a closed socket through a "close" listener made
 * inside its async `handshake(req, server, url, responseHeaders)`. An async function keeps its
 * variables in one scope object, and the listener keeps that scope: the upgrade's Request (and
 * Bun's native copy of its headers), its URL and search params, and the response's Headers
 * lived as long as the connection, about 1.1 KB of heap each (bench/heap.ts; plain Socket.IO on
 * Bun keeps them too). The listener is swapped, in its place, for one that does the same
 * (`clients.delete(id)`) without that scope.
 */
export function forgetHandshakeRequests(engine: Engine): void {
  const clients = (engine as unknown as { clients: Map<string, EngineSocket> }).clients;
  function forget(this: EngineSocket): void {
    clients.delete(this.id);
  }
  engine.on("connection", (socket) => {
    // The engine's own is the one once() wrapped (the wrapper carries the listener as `fn`),
    // added before "connection" is emitted; Socket.IO's (a bound function) comes after it.
    const listeners = socket.listeners("close") as ((...args: unknown[]) => void)[];
    const own = listeners.findIndex((listener) => "fn" in listener);
    if (own !== -1) listeners[own] = forget;
  });
}
