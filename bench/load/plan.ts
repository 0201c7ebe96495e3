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
  /** Changes mixed in with the messages (ChatLoop only: the references know no such events). */
  changes?: Changes;
}

/**
 * Each sender works in rounds of `roundMessages` messages: the middle one of a round answers a
 * recent message (replyToId), and once the round's last is acknowledged the sender edits that
 * message and adds each of `reactions` to a recent message of someone else (its own round's
 * last if it already reacted to the newest it saw). Every change is a real one: a message is
 * edited once and reacted to once per emoji per sender, so each takes a rev.
 */
export interface Changes {
  roundMessages: number;
  reactions: string[];
  /** Every member, senders included, says it is typing this often (in ms) while its generator's senders send. */
  typingEveryMs: number;
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
  /** Connects and joins tried again after the server answered `unavailable`. */
  retries: number;
}

export interface RunReport {
  event: "done";
  sent: number;
  acked: number;
  /** Requests the server refused: messages, and with changes, edits, reactions and typing. */
  refused: number;
  /** newMessage frames received, duplicates included. */
  received: number;
  /** Edits and reactions the server acknowledged. */
  changes: number;
  /** Messages sent with a replyToId. */
  replies: number;
  /** messageUpdated frames received, duplicates (counted as out of order) included. */
  updatesReceived: number;
  typingSent: number;
  /** typing frames received. */
  typingReceived: number;
  /** roomActivity frames received (ChatLoop tells every member of a room with news at most once a second). */
  activityReceived: number;
  /** The most roomActivity frames one client received: the rounds that told its room, as a round tells each member once. */
  activityRounds: number;
  duplicates: number;
  /**
   * Messages whose room seq was not above the one before: the room's order broken. With changes,
   * also frames whose rev was not above the one before, and updates that came before their message.
   */
  outOfOrder: number;
  /**
   * Messages a client should have received and did not. With changes, also the revs after the
   * last one it saw: a feed may send a message with later changes folded in, so skipped revs
   * before that are no loss.
   */
  missing: number;
  firstSendAt: number;
  lastReceiveAt: number;
  /** Send to receipt of each newMessage. */
  latency: [number, number][];
  /** sendMessage to its acknowledgement. */
  ackLatency: [number, number][];
  cpuMs: number;
  timedOut: boolean;
}
