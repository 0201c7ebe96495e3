// What the orchestrator tells a generator process to do, and what it reports back.
import type { TargetName } from "../client/targets";

export interface ClientPlan {
  username: string;
  password: string;
  roomId: string;
  /** Index into WorkerPlan.bases: which instance this client connects to. */
  server: number;
  /** This client's sender slot in its room, if it sends. */
  senderSlot?: number;
}

export interface Sending {
  sendersPerRoom: number;
  messagesPerSender: number;
  /** Unpaced: each sender keeps this many messages waiting for their acknowledgement. */
  window?: number;
  /** Paced: each sender sends this many per second, whatever the acknowledgements do. */
  perSecond?: number;
  contentBytes: number;
}

export interface WorkerPlan {
  target: TargetName;
  bases: string[];
  clients: ClientPlan[];
  sending: Sending;
  /** The run gives up waiting for deliveries after this long. */
  capMs: number;
}

/** Lines on the worker's stdin, one command each, in this order. */
export type Command = { cmd: "login" } | { cmd: "connect" } | { cmd: "run" } | { cmd: "close" };

export interface JoinReport {
  event: "joined";
  startedAt: number;
  doneAt: number;
  failures: number;
  firstFailure?: string;
}

export interface RunReport {
  event: "done";
  sent: number;
  acked: number;
  refused: number;
  /** newMessage frames received, duplicates included. */
  received: number;
  duplicates: number;
  /** Messages whose room seq was not above the one before: the room's order broken. */
  outOfOrder: number;
  /** Messages a client should have received and did not. */
  missing: number;
  firstSendAt: number;
  lastReceiveAt: number;
  latency: [number, number][];
  cpuMs: number;
  timedOut: boolean;
}
