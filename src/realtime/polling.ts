// A long-polling response carries at most MAX_PACKETS_PER_POLL packets; the rest wait, in
// order, for the client's next poll. The JavaScript client takes any number, but others do not:
// python-engineio (4.x, Debian's python3-socketio) aborts on a payload of more than 16 packets,
// and a client that rejoins 100 messages behind is owed the whole replay, roomJoined and the
// acknowledgement at once: over polling it could never catch up.
import type { Server as Engine } from "@socket.io/bun-engine";
import type { Packet } from "@socket.io/bun-engine/dist/parser";

const MAX_PACKETS_PER_POLL = 16;

/**
 * @socket.io/bun-engine (pinned) flushes a socket's private `writeBuffer` into its transport's
 * `send`, all of it: the polling transport's send takes the first packets and puts the rest back.
 */
export function capPollingResponses(engine: Engine): void {
  engine.on("connection", (socket) => {
    const { transport } = socket;
    if (transport.name !== "polling") return;
    const buffered = socket as unknown as { writeBuffer: Packet[] }; // a new array after each flush
    const send = transport.send.bind(transport);
    transport.send = (packets) => {
      if (packets.length > MAX_PACKETS_PER_POLL) buffered.writeBuffer.unshift(...packets.splice(MAX_PACKETS_PER_POLL));
      send(packets);
    };
  });
}
