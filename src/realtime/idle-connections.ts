// What an open connection keeps of how it was opened: nothing ChatLoop does not read again.
// At 10,000 idle connections every object a connection keeps is 10,000 objects, and the
// handshake's are of no use once the socket is authenticated and connected.
import type { Server as Engine } from "@socket.io/bun-engine";
import type { Socket as EngineSocket } from "@socket.io/bun-engine/dist/socket";
import type { Socket } from "socket.io";

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

type Handshake = Socket["handshake"];

/** Put in the place of what a connected socket's handshake no longer needs: frozen, as every socket shares it. */
const NOTHING = Object.freeze({}) as Record<string, never>;
/** The handshake of every connected socket. */
const SPENT_HANDSHAKE: Handshake = Object.freeze({ headers: NOTHING, time: "", address: "", xdomain: false, secure: false, issued: 0, url: "", query: NOTHING, auth: NOTHING });
/** The engine's record of the request, for every connected socket (Socket.IO's `socket.request`). */
const SPENT_REQUEST = Object.freeze({ url: "", headers: NOTHING, _query: NOTHING, connection: Object.freeze({ encrypted: false }) });

/**
 * Once the gateway has authenticated a socket, its handshake (headers, where the token may be
 * in the cookie or Authorization; query; auth payload; URL; date string) is never read again:
 * ChatLoop reads it only in the gateway's middleware, and Socket.IO only builds it and sends it
 * to another instance that asks for fetchSockets(), which ChatLoop never calls. It is replaced
 * with one shared, empty handshake, and the engine's record of the request (the same headers
 * and query) with one shared record: about 800 bytes of heap per connection from a Bun client
 * (bench/heap.ts), more from a browser, whose headers are more.
 */
export function spendHandshake(socket: Socket): void {
  (socket as { handshake: Handshake }).handshake = SPENT_HANDSHAKE;
  (socket.conn as unknown as { request: typeof SPENT_REQUEST }).request = SPENT_REQUEST;
}
