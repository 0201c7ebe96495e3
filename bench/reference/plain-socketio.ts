// Socket.IO on Bun with nothing of ChatLoop: no auth, no storage, no ordering work.
// joinRoom -> socket.join; sendMessage -> io.to(room).emit("newMessage", ...).
import { Server as Engine } from "@socket.io/bun-engine";
import { Server } from "socket.io";
import { announce, referenceMessage, type SendPayload } from "./message";

type Ack = (answer: unknown) => void;

/** Serves the reference on `port` (0: any free one). */
export function servePlainSocketIo(port: number) {
  const io = new Server({ serveClient: false });
  const engine = new Engine({ path: "/socket.io/" });
  io.bind(engine);
  io.on("connection", (socket) => {
    socket.on("joinRoom", async ({ roomId }: { roomId: string }, ack?: Ack) => {
      await socket.join(roomId);
      ack?.({ roomId });
    });
    socket.on("sendMessage", (payload: SendPayload, ack?: Ack) => {
      const message = referenceMessage(payload, socket.id);
      io.to(payload.roomId).emit("newMessage", message);
      ack?.(message);
    });
  });

  const { websocket, idleTimeout } = engine.handler();
  return Bun.serve({
    hostname: "127.0.0.1",
    port,
    reusePort: false,
    idleTimeout,
    websocket,
    fetch(request, server) {
      if (new URL(request.url).pathname === "/socket.io/") return engine.handleRequest(request, server);
      return Response.json({ status: "ok" });
    },
  });
}

if (import.meta.main) announce(`http://127.0.0.1:${servePlainSocketIo(Number(process.env.PORT ?? 0)).port}/`);
