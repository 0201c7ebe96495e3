// The clients of bench/heap.ts, in a process of their own so that their memory is not the
// server's: reads { base, tokens, rooms } as one JSON line, connects and joins them all,
// says "joined", and keeps them open until killed.
import { LeanSocket } from "./client/lean-socket";
import { joinRoom } from "./client/targets";

const { base, tokens, rooms } = JSON.parse((await console[Symbol.asyncIterator]().next()).value as string) as { base: string; tokens: string[]; rooms: string[] };
const url = `${base.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
const sockets = await Promise.all(
  tokens.map(async (token, i) => {
    const socket = await LeanSocket.open({ url, engineIo: true }, { token });
    await joinRoom(socket, rooms[i]!);
    return socket;
  }),
);
console.log(JSON.stringify({ joined: sockets.length }));
setInterval(() => {}, 60_000);
