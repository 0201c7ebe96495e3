// What an idle connection keeps on the server (src/realtime/idle-connections.ts and the
// gateway): counted by object type in this process's heap, server and clients alike, so each
// check is of a type the clients do not make, or a bound loose enough for them.
import { heapStats } from "bun:jsc";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { type ChatSocket, closeSockets, connect, type Person, people, startServer, stopServer, type TestServer } from "./harness";
import { closeRawSockets, rawEngineSocket } from "./raw-engine-socket";

let server: TestServer;
let alice: Person;

beforeAll(async () => {
  server = await startServer();
  [alice] = await people(server, "alice");
});
afterEach(async () => {
  closeSockets();
  closeRawSockets();
  for (let waited = 0; engineClients() > 0 && waited < 5000; waited += 10) await Bun.sleep(10);
});
afterAll(() => stopServer(server));

const SOCKETS = 50;

/** Live objects of each type after a full collection. */
function liveObjects(): Record<string, number> {
  Bun.gc(true);
  return heapStats().objectTypeCounts as Record<string, number>;
}

/** How many more objects of `type` are live than in `before`, per open socket. */
const perSocket = (before: Record<string, number>, after: Record<string, number>, type: string) => ((after[type] ?? 0) - (before[type] ?? 0)) / SOCKETS;

const engineClients = () => (server.io.engine as unknown as { clients: Map<string, unknown> }).clients.size;

async function openSockets(): Promise<ChatSocket[]> {
  return Promise.all(Array.from({ length: SOCKETS }, () => connect(server, alice.token)));
}

describe("an idle connection", () => {
  test("keeps nothing of the HTTP request that opened it", async () => {
    const before = liveObjects();
    await openSockets();
    const after = liveObjects();
    // Each kept one per socket before (rounded per socket: the stack is scanned conservatively, and a stray pointer may keep a few alive).
    const kept = (type: string) => Math.max(0, Math.round(perSocket(before, after, type)));
    expect({ Request: kept("Request"), Headers: kept("Headers"), URL: kept("URL"), URLSearchParams: kept("URLSearchParams") }).toEqual({
      Request: 0,
      Headers: 0,
      URL: 0,
      URLSearchParams: 0,
    });
  });

  test("keeps nothing of its handshake once authenticated: no token, headers or query", async () => {
    await connect(server, alice.token);
    const [socket] = server.io.of("/").sockets.values();
    const { headers, query, auth, url, time } = socket!.handshake;
    expect({ headers, query, auth, url, time }).toEqual({ headers: {}, query: {}, auth: {}, url: "", time: "" });
    expect(socket!.request.headers).toEqual({});
    expect(socket!.data.principal.userId).toBe(alice.id);
  });

  test("is not compressed: the server declines the client's offer of permessage-deflate", async () => {
    const { ws } = await rawEngineSocket(server.base); // Bun's WebSocket offers it
    expect(ws.extensions).toBe("");
  });

  test("is forgotten by the engine once it closes", async () => {
    const sockets = await openSockets();
    expect(engineClients()).toBe(SOCKETS);
    for (const socket of sockets) socket.close();
    for (let waited = 0; engineClients() > 0 && waited < 5000; waited += 10) await Bun.sleep(10);
    expect(engineClients()).toBe(0);
  });
});
