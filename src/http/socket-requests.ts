// Requests on the Socket.IO path go to the engine, less two faults of the client's that the
// engine would read wrongly: long-polling bytes that are not UTF-8 (Engine.IO packets are text;
// read leniently they would arrive as U+FFFD), and an Upgrade that is no WebSocket handshake
// (no Sec-WebSocket-Key, an "Upgrade: h2c"), which Bun refuses and the engine answers with a
// bare 500.
import { isUtf8 } from "node:buffer";
import type { Server as Engine } from "@socket.io/bun-engine";
import { invalidRequest } from "./request-url";

export async function handleSocketRequest(engine: Engine, request: Request, server: Bun.Server<unknown>): Promise<Response> {
  const readable = await withTextBody(request);
  if (!readable) return invalidRequest("Socket.IO long-polling packets must be UTF-8 text");
  const answer = await engine.handleRequest(readable, server);
  if (answer.status === 500 && request.headers.has("upgrade")) return invalidRequest("an Upgrade must be a complete WebSocket handshake");
  return answer;
}

/** The request with its body checked to be UTF-8, or undefined when it is not. */
async function withTextBody(request: Request): Promise<Request | undefined> {
  if (!request.body) return request;
  const body = await request.arrayBuffer();
  return isUtf8(body) ? new Request(request, { body }) : undefined;
}
