// Socket.IO frames over MAX_BODY_BYTES are answered, not dropped. The transports read frames up
// to frameReadLimitBytes; a larger event than MAX_BODY_BYTES within that is replaced, before
// Socket.IO decodes it, by the same event (same namespace, same acknowledgement id) carrying
// only a marker, which the gateway answers with a `too_large` error like any refused event: the
// connection stays and nothing is stored. Above the read limit the transport itself gives up (a
// WebSocket is closed with 1009, a long-polling POST gets 413 and its session ends).
import type { Server as Engine } from "@socket.io/bun-engine";
import type { Packet } from "@socket.io/bun-engine/dist/parser";
import { AppError } from "../errors";

/** What the transports read at all, in bytes: room to answer frames over MAX_BODY_BYTES, bounded. */
export const frameReadLimitBytes = (maxBodyBytes: number) => Math.max(4 * maxBodyBytes, 1024 * 1024);

/** The marker an oversize event's payload is replaced with: its size in bytes. */
const MARKER = "$frameTooLarge";

/** A Socket.IO EVENT packet without binary attachments: `2[/nsp,][ackId]["event", ...]`. */
const EVENT_HEADER = /^2(\/[^,]*,)?(\d*)\["((?:[^"\\]|\\.){0,100})"/;

export function answerOversizeFrames(engine: Engine, maxFrameBytes: number): void {
  // One listener for every socket (it needs nothing of the socket's own): a closure each would cost every idle connection.
  const replaceOversize = (packet: Packet) => {
    const { data } = packet;
    // A UTF-16 unit is at most 3 bytes of UTF-8: most frames need no count.
    if (packet.type !== "message" || typeof data !== "string" || data.length * 3 <= maxFrameBytes) return;
    const bytes = Buffer.byteLength(data);
    if (bytes <= maxFrameBytes) return;
    const header = EVENT_HEADER.exec(data);
    if (!header) return; // not an event (a binary one's attachments follow): the read limit bounds it
    const [, nsp = "", ackId, escapedName] = header;
    const event = JSON.parse(`"${escapedName}"`) as string;
    packet.data = `2${nsp}${ackId}${JSON.stringify([event, { [MARKER]: bytes }])}`;
  };
  // "packet" is heard before the engine hands the packet's data to Socket.IO.
  engine.on("connection", (socket) => socket.on("packet", replaceOversize));
}

/** Refuses an event whose frame was too large to read (its payload is the marker). */
export function refuseOversize(payload: unknown, maxFrameBytes: number): void {
  const bytes = (payload as Record<string, unknown> | null)?.[MARKER];
  if (typeof bytes !== "number") return;
  throw new AppError(
    413,
    "too_large",
    `the event was ${bytes} bytes; a Socket.IO frame may be at most ${maxFrameBytes} (MAX_BODY_BYTES): send less, resending the same will not help`,
  );
}
