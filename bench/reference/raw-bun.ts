// The ceiling: Bun's own WebSocket pub/sub, no storage, no auth. It reads Socket.IO-style
// event frames (`42<ack id>["event",payload]`) so the same load generator drives it, and
// publishes each message to the room's topic in C++ (server.publish).
import { announce, referenceMessage, type SendPayload } from "./message";

const EVENT = /^42(\d*)(\[.*)$/s;

const server = Bun.serve<{ id: string }>({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  fetch(request, server) {
    if (new URL(request.url).pathname === "/ws" && server.upgrade(request, { data: { id: crypto.randomUUID() } })) return undefined;
    return Response.json({ status: "ok" });
  },
  websocket: {
    message(ws, frame) {
      const [, ackId, body] = EVENT.exec(String(frame)) ?? [];
      if (body === undefined) return;
      const [event, payload] = JSON.parse(body) as [string, SendPayload];
      let answer: unknown = { roomId: payload.roomId };
      if (event === "joinRoom") ws.subscribe(payload.roomId);
      if (event === "sendMessage") {
        answer = referenceMessage(payload, ws.data.id);
        server.publish(payload.roomId, `42${JSON.stringify(["newMessage", answer])}`);
      }
      if (ackId) ws.send(`43${ackId}${JSON.stringify([answer])}`);
    },
  },
});
announce(`http://127.0.0.1:${server.port}/`);
