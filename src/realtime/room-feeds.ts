// Delivery of each room's changes to this instance's sockets, strictly in rev order.
//
// Every change to a room's log (a new message, an edit, a deletion, a reaction) takes the
// room's next rev, and changes commit in rev order. They reach an instance from its own verbs
// and, through the adapter, from other instances, in no guaranteed order. A room's feed
// delivers rev N+1 only after N: a late duplicate is dropped, and a change that jumps ahead
// waits for the ones before it (GAP_WAIT_MS at most, then they are read from PostgreSQL). A
// message whose seq is past what the feed delivered goes out as `newMessage`, any other as
// `messageUpdated`, so a client never hears of a change before the message it changes. A join that asks for what it missed runs in the same queue,
// so its replay ends exactly where live delivery begins.
import { AppError } from "../errors";
import type { Message } from "../messages/schemas";
import type { LogHead } from "../rooms/rooms";

/**
 * How long a change that arrived ahead of its turn waits for the ones before it, before the
 * feed reads them from the log. Changes commit in rev order, but their reports race: a send's
 * batch and an edit's transaction answer in either order, and another instance's changes come
 * through Redis a few ms later. Waiting keeps delivery in rev order without a read; a change
 * that pub/sub lost is read after this long.
 */
const GAP_WAIT_MS = 250;

/** A join may replay at most this many missed messages (or changed ones); further back, page through REST. */
export const REPLAY_LIMIT = 1000;

/** Refuses a replay longer than REPLAY_LIMIT: such a client should page through REST. */
export function requireReplayable(count: number, readFirst: string): void {
  if (count > REPLAY_LIMIT) {
    throw new AppError(409, "too_far_behind", `more than ${REPLAY_LIMIT} messages were missed: page through ${readFirst} first, then join again`);
  }
}

export type LogEvent = "newMessage" | "messageUpdated";

export interface FeedPorts {
  /** Sends to this instance's sockets in the room. */
  deliver(event: LogEvent, message: Message): void;
  /** Committed messages with after < seq < before, oldest first. */
  load(roomId: string, after: number, before: number): Promise<Message[]>;
  /** The current state of every message with rev > since (and seq <= maxSeq; the `limit` lowest revs), in rev order. */
  loadChanges(roomId: string, since: number, maxSeq?: number, limit?: number): Promise<Message[]>;
  /** Where each room's log stands. */
  heads(roomIds: string[]): Promise<Map<string, LogHead>>;
  /** Starts hearing the room's changes from other instances (before the feed reads where it stands). */
  watch(roomId: string): Promise<void>;
  /** Stops hearing them: no socket here is in the room any more. */
  unwatch(roomId: string): void;
  /** How many of this instance's sockets are in the room. */
  localSockets(roomId: string): number;
  /** Changes delivered from the log because pub/sub had not brought them. */
  backfilled(count: number): void;
  onError(error: unknown, context: string): void;
}

export interface Subscriber {
  /** Sends one replayed message to this socket only. */
  replay(event: LogEvent, message: Message): void;
  /** Adds the socket to the room's live delivery; false if it has gone meanwhile. */
  join(): boolean;
}

/** What a joining socket already has: messages up to seq `after`, changes up to rev `since`. */
export interface Seen {
  after?: number;
  since?: number;
}

class RoomFeed {
  /** Where this instance's delivery stands; undefined while no local socket listens. */
  private delivered: LogHead | undefined;
  /** Changes that arrived ahead of their turn, by rev, until the ones before them do. */
  private readonly early = new Map<number, Message>();
  private gapTimer: Timer | undefined;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly roomId: string,
    private readonly ports: FeedPorts,
  ) {}

  receive(message: Message): void {
    void this.run("deliver", async () => {
      if (this.delivered === undefined || message.rev <= this.delivered.rev) return;
      this.early.set(message.rev, message);
      this.deliverInTurn();
    });
  }

  /** Delivers the changes held back whose turn has come, and waits a little for a missing one. */
  private deliverInTurn(): void {
    for (let next: Message | undefined; (next = this.early.get(this.delivered!.rev + 1)); ) {
      this.early.delete(next.rev);
      this.deliver(next);
    }
    if (this.early.size === 0) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    } else {
      this.gapTimer ??= setTimeout(() => {
        this.gapTimer = undefined;
        if (this.early.size > 0) this.catchUpTo(Math.max(...this.early.keys()));
      }, GAP_WAIT_MS);
    }
  }

  /** Delivers from the database what this instance has not seen, up to `rev`. */
  catchUpTo(rev: number): void {
    void this.run("catch up", async () => {
      if (this.delivered === undefined || rev <= this.delivered.rev) return;
      try {
        await this.catchUp();
      } finally {
        this.deliverInTurn(); // after a failed read, the changes held back wait for another try
      }
    });
  }

  get deliveredRev(): number | undefined {
    return this.delivered?.rev;
  }

  private deliver(message: Message): void {
    const delivered = this.delivered!;
    this.ports.deliver(message.seq > delivered.seq ? "newMessage" : "messageUpdated", message);
    this.delivered = { seq: Math.max(delivered.seq, message.seq), rev: Math.max(delivered.rev, message.rev) };
  }

  /**
   * Everything changed since the delivered rev, in its current state: the new messages in seq
   * order, then the changes to older ones in rev order. Whatever changed meanwhile comes in its
   * newest state, and its own event, when it arrives, is a duplicate.
   */
  private async catchUp(): Promise<void> {
    const changed = await this.ports.loadChanges(this.roomId, this.delivered!.rev);
    const seq = this.delivered!.seq;
    for (const message of changed.filter((m) => m.seq > seq).sort((a, b) => a.seq - b.seq)) this.deliver(message);
    for (const message of changed.filter((m) => m.seq <= seq)) this.deliver(message);
    if (changed.length) this.ports.backfilled(changed.length);
    for (const rev of this.early.keys()) if (rev <= this.delivered!.rev) this.early.delete(rev);
  }

  subscribe(subscriber: Subscriber, seen: Seen): Promise<void> {
    return this.run("join", async () => {
      if (this.delivered === undefined) {
        // Hearing first, then reading: a change committed after the read is then heard.
        await this.ports.watch(this.roomId);
        this.delivered = (await this.ports.heads([this.roomId])).get(this.roomId) ?? { seq: 0, rev: 0 };
      }
      const { seq, rev } = this.delivered;
      const after = seen.after !== undefined && seen.after < seq ? seen.after : undefined;
      const since = seen.since !== undefined && seen.since < rev ? seen.since : undefined;
      if (after !== undefined) requireReplayable(seq - after, `GET /messages/${this.roomId}?after=${after}`);
      const missed = after === undefined ? [] : await this.ports.load(this.roomId, after, seq + 1);
      const changed = since === undefined ? [] : await this.ports.loadChanges(this.roomId, since, seen.after ?? seq, REPLAY_LIMIT + 1);
      requireReplayable(changed.length, `GET /rooms/${this.roomId}/changes?since=${since}`);
      for (const message of missed) subscriber.replay("newMessage", message);
      for (const message of changed) subscriber.replay("messageUpdated", message);
      subscriber.join();
    });
  }

  /** Forgets the room once its last local socket has left and nothing is queued behind. */
  retireIfUnused(retire: () => void): void {
    void this.run("retire", async () => {
      if (this.pending === 1 && this.ports.localSockets(this.roomId) === 0) {
        clearTimeout(this.gapTimer);
        retire();
      }
    });
  }

  private run<T>(context: string, task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.queue.then(task).finally(() => this.pending--);
    this.queue = result.then(
      () => {},
      (error) => {
        if (!(error instanceof AppError)) this.ports.onError(error, `room ${this.roomId}: ${context}`);
      },
    );
    return result;
  }
}

export class RoomFeeds {
  private readonly feeds = new Map<string, RoomFeed>();

  constructor(private readonly ports: FeedPorts) {}

  /** A committed change; rooms without local sockets have no feed and ignore it. */
  receive(message: Message): void {
    this.feeds.get(message.roomId)?.receive(message);
  }

  subscribe(roomId: string, subscriber: Subscriber, seen: Seen): Promise<void> {
    let feed = this.feeds.get(roomId);
    if (!feed) this.feeds.set(roomId, (feed = new RoomFeed(roomId, this.ports)));
    return feed.subscribe(subscriber, seen);
  }

  /**
   * Compares what each room's feed has delivered with the database and delivers the rest.
   * Pub/sub between instances can drop a change (Redis restarting, a resubscription not yet
   * in place); a feed notices a gap only when a later change arrives, so this closes it.
   */
  async reconcile(): Promise<void> {
    const watched = [...this.feeds].filter(([, feed]) => feed.deliveredRev !== undefined);
    if (watched.length === 0) return;
    const heads = await this.ports.heads(watched.map(([roomId]) => roomId));
    for (const [roomId, feed] of watched) feed.catchUpTo(heads.get(roomId)?.rev ?? 0);
  }

  /** Call when the room's last local socket left. */
  roomEmptied(roomId: string): void {
    const feed = this.feeds.get(roomId);
    feed?.retireIfUnused(() => {
      this.feeds.delete(roomId);
      this.ports.unwatch(roomId);
    });
  }

  get size(): number {
    return this.feeds.size;
  }
}
