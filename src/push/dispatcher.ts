// Web Push for people who are away: told of every message this instance stores, the dispatcher
// finds, a few times a second and in one query for all the messages of the moment, the members
// to notify who have no socket open on any instance, and hands their pushes to the deliveries.
// Nothing of it is on a message's path: a send only adds the message to a bounded queue.
import type { PushConfig } from "../config";
import type { Sql } from "../db/sql";
import { log } from "../log";
import type { Message } from "../messages/schemas";
import type { Metrics } from "../metrics";
import { shortened } from "../text";
import { Deliveries } from "./deliveries";
import { forgetEndpoint, type Recipient, recipientsOf, type StoredMessage } from "./subscriptions";

/** Queued messages wait this long for the query that finds whom they notify. */
const DISPATCH_DELAY_MS = 250;
/** Messages waiting for that query; one more is dropped, with a warning, rather than the queue growing. */
const MAX_QUEUED = 10_000;
/** A notification shows the start of the message: this many characters. */
const BODY_LENGTH = 200;

export interface PushDeps {
  sql: Sql;
  push: PushConfig;
  metrics: Metrics;
  /** Which of these users have a socket open on any instance: they see the message there. */
  withOpenSockets(userIds: string[]): Promise<Set<string>>;
}

/** What a notification needs of a message, and no more: the queue holds no message's whole text. */
interface Queued extends StoredMessage {
  username: string;
  body: string;
}

export class PushDispatcher {
  private queued: Queued[] = [];
  /** Dropped since the last warning about it. */
  private dropped = { messages: 0, pushes: 0 };
  private next?: Timer;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly deliveries: Deliveries;

  constructor(private readonly deps: PushDeps) {
    this.deliveries = new Deliveries(deps.push, (endpoint) => forgetEndpoint(deps.sql, endpoint), deps.metrics.pushes);
  }

  messageStored(message: Message): void {
    if (this.stopped) return;
    if (this.queued.length >= MAX_QUEUED) {
      this.dropped.messages++;
      this.deps.metrics.pushes.inc({ outcome: "dropped" });
      return;
    }
    const { roomId, seq, senderId, username, content } = message;
    const body = shortened(content, BODY_LENGTH);
    this.queued.push({ roomId, seq, senderId, username, body });
    this.next ??= setTimeout(() => (this.running = this.dispatch()), DISPATCH_DELAY_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.next);
    this.queued = [];
    await this.running;
    this.deliveries.stop();
  }

  private async dispatch(): Promise<void> {
    const messages = this.queued;
    this.queued = [];
    try {
      const recipients = await recipientsOf(this.deps.sql, messages);
      const online = recipients.length > 0 ? await this.deps.withOpenSockets([...new Set(recipients.map((r) => r.userId))]) : new Set();
      const byPlace = new Map(messages.map((message) => [`${message.roomId}:${message.seq}`, message]));
      for (const recipient of recipients) {
        if (online.has(recipient.userId)) {
          this.deps.metrics.pushes.inc({ outcome: "skipped" });
          continue;
        }
        const message = byPlace.get(`${recipient.roomId}:${recipient.seq}`)!;
        if (!this.deliveries.add({ endpoint: recipient.endpoint, keys: recipient.keys, roomId: recipient.roomId, payload: payloadOf(recipient, message) })) this.dropped.pushes++;
      }
    } catch (error) {
      log.warn("push_dispatch_failed", { messages: messages.length, error: String(error) });
    }
    if (this.dropped.messages + this.dropped.pushes > 0) log.warn("push_dropped", { ...this.dropped, why: "too many waiting" });
    this.dropped = { messages: 0, pushes: 0 };
    this.next = this.queued.length > 0 ? setTimeout(() => (this.running = this.dispatch()), DISPATCH_DELAY_MS) : undefined;
  }
}

/** What public/sw.js shows: who wrote, where, the start of what they wrote, and where a click leads. */
function payloadOf(recipient: Recipient, message: Queued): string {
  const title = recipient.direct ? message.username : `${message.username} in ${recipient.roomName}`;
  return JSON.stringify({ roomId: recipient.roomId, seq: recipient.seq, title, body: message.body, url: `/chat/rooms/${recipient.roomId}` });
}
