// The three servers a run can drive, and the few places their protocols differ. The raw Bun
// reference speaks Socket.IO's event frames (`42[...]`, acks `43<id>[...]`) without Engine.IO
// around them, so that joining, sending and counting are the same code for all three.
import type { Wire } from "./lean-socket";
import { LeanSocket } from "./lean-socket";

export const TARGETS = ["chatloop", "raw-bun", "plain-socketio"] as const;
export type TargetName = (typeof TARGETS)[number];

export interface Credentials {
  username: string;
  password: string;
}

export interface Target {
  name: TargetName;
  wire(base: string): Wire;
  /** The handshake's auth: a token from REST login for ChatLoop; the references ask for none. */
  login(base: string, who: Credentials): Promise<Record<string, string>>;
}

const socketIoWire = (base: string): Wire => ({ url: `${base.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`, engineIo: true });
const noLogin = async () => ({});

export const targets: Record<TargetName, Target> = {
  chatloop: {
    name: "chatloop",
    wire: socketIoWire,
    async login(base, who) {
      const response = await fetch(`${base}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(who) });
      if (response.status !== 200) throw new Error(`login ${who.username}: ${response.status} ${await response.text()}`);
      return { token: ((await response.json()) as { token: string }).token };
    },
  },
  "plain-socketio": { name: "plain-socketio", wire: socketIoWire, login: noLogin },
  "raw-bun": { name: "raw-bun", wire: (base) => ({ url: `${base.replace(/^http/, "ws")}/ws`, engineIo: false }), login: noLogin },
};

/** An acknowledgement that carries `{ code }` is a refusal. */
function refused(answer: unknown): string | undefined {
  return typeof answer === "object" && answer !== null && "code" in answer ? String((answer as { code: unknown }).code) : undefined;
}

export async function joinRoom(socket: LeanSocket, roomId: string): Promise<void> {
  const code = refused(await socket.emitWithAck("joinRoom", { roomId }));
  if (code) throw new Error(`joinRoom refused: ${code}`);
}

/** Sends `event` and resolves with its acknowledgement, or undefined if the server refused it. */
export async function ask(socket: LeanSocket, event: string, payload: unknown): Promise<unknown> {
  const answer = await socket.emitWithAck(event, payload);
  return refused(answer) ? undefined : answer;
}

export interface OutgoingMessage {
  roomId: string;
  content: string;
  clientId: string;
  /** A message of the same room this one answers (ChatLoop only). */
  replyToId?: string;
}

/** Resolves with the id of the message the server stored (or published), undefined if it refused it. */
export async function postMessage(socket: LeanSocket, message: OutgoingMessage): Promise<string | undefined> {
  return ((await ask(socket, "sendMessage", message)) as { id: string } | undefined)?.id;
}

/** Resolves true once the server acknowledged the message as stored (or published), false if it refused it. */
export async function sendMessage(socket: LeanSocket, roomId: string, content: string, clientId: string): Promise<boolean> {
  return (await postMessage(socket, { roomId, content, clientId })) !== undefined;
}

/** Connects as `who` (logging in first where the target wants it) and joins `roomId`. */
export async function connectAndJoin(target: Target, base: string, auth: Record<string, string>, roomId: string): Promise<LeanSocket> {
  const socket = await LeanSocket.open(target.wire(base), auth);
  await joinRoom(socket, roomId);
  return socket;
}
