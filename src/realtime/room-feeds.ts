// Delivery of each room's messages to this instance's sockets, strictly in seq order.
//
// Messages reach an instance from its own sends and, through the adapter, from other
// instances, in no guaranteed order. A room's feed delivers seq N+1 only after N: a late
// duplicate is dropped, and a message that jumps ahead first pulls the ones it skipped from
// PostgreSQL (committed, since a room's sends commit in seq order). A join that asks for
// what it missed runs in the same queue, so its replay ends exactly where live delivery
// begins: no gap, no duplicate.
import type { Message } from "../messages/schemas";
import { AppError } from "../errors";

/** A join may replay at most this many missed messages; further back, page through REST. */
export const REPLAY_LIMIT = 1000;

/** Refuses a replay longer than REPLAY_LIMIT: such a client should page through REST. */
export function requireReplayable(after: number, newestSeq: number): void {
  if (newestSeq - after > REPLAY_LIMIT) {
    throw new AppError(409, "too_far_behind", `more than ${REPLAY_LIMIT} messages were missed: page through GET /messages/:roomId?after=${after}, then join with the newest seq`);
  }
}

export interface FeedPorts {
  /** Sends to this instance's sockets in the room. */
  deliver(message: Message): void;
  /** Committed messages with after < seq < before, oldest first. */
  load(roomId: string, after: number, before: number): Promise<Message[]>;
  /** The newest seq of each room. */
  newestSeqs(roomIds: string[]): Promise<Map<string, number>>;
  /** How many of this instance's sockets are in the room. */
  localSockets(roomId: string): number;
  /** Messages delivered from the log because pub/sub had not brought them. */
  backfilled(count: number): void;
  onError(error: unknown, context: string): void;
}

export interface Subscriber {
  /** Sends one replayed message to this socket only. */
  replay(message: Message): void;
  /** Adds the socket to the room's live delivery; false if it has gone meanwhile. */
  join(): boolean;
}

class RoomFeed {
  /** The seq this instance has delivered up to; undefined while no local socket listens. */
  private delivered: number | undefined;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly roomId: string,
    private readonly ports: FeedPorts,
  ) {}

  receive(message: Message): void {
    void this.run("deliver", async () => {
      if (this.delivered === undefined || message.seq <= this.delivered) return;
      await this.deliverUpTo(message.seq - 1);
      this.ports.deliver(message);
      this.delivered = message.seq;
    });
  }

  /** Delivers from the database what this instance has not seen up to `seq`. */
  catchUp(seq: number): void {
    void this.run("catch up", () => this.deliverUpTo(seq));
  }

  get deliveredSeq(): number | undefined {
    return this.delivered;
  }

  private async deliverUpTo(seq: number): Promise<void> {
    if (this.delivered === undefined || seq <= this.delivered) return;
    const missed = await this.ports.load(this.roomId, this.delivered, seq + 1);
    for (const message of missed) this.ports.deliver(message);
    if (missed.length) this.ports.backfilled(missed.length);
    this.delivered = seq;
  }

  subscribe(subscriber: Subscriber, after: number | undefined): Promise<void> {
    return this.run("join", async () => {
      this.delivered ??= (await this.ports.newestSeqs([this.roomId])).get(this.roomId) ?? 0;
      if (after !== undefined && after < this.delivered) {
        requireReplayable(after, this.delivered);
        for (const missed of await this.ports.load(this.roomId, after, this.delivered + 1)) subscriber.replay(missed);
      }
      subscriber.join();
    });
  }

  /** Forgets the room once its last local socket has left and nothing is queued behind. */
  retireIfUnused(retire: () => void): void {
    void this.run("retire", async () => {
      if (this.pending === 1 && this.ports.localSockets(this.roomId) === 0) retire();
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

  /** A stored message; rooms without local sockets have no feed and ignore it. */
  receive(message: Message): void {
    this.feeds.get(message.roomId)?.receive(message);
  }

  subscribe(roomId: string, subscriber: Subscriber, after: number | undefined): Promise<void> {
    let feed = this.feeds.get(roomId);
    if (!feed) this.feeds.set(roomId, (feed = new RoomFeed(roomId, this.ports)));
    return feed.subscribe(subscriber, after);
  }

  /**
   * Compares what each room's feed has delivered with the database and delivers the rest.
   * Pub/sub between instances can drop a message (Redis restarting, a resubscription not yet
   * in place); a feed notices a gap only when a later message arrives, so this closes it.
   */
  async reconcile(): Promise<void> {
    const watched = [...this.feeds].filter(([, feed]) => feed.deliveredSeq !== undefined);
    if (watched.length === 0) return;
    const newest = await this.ports.newestSeqs(watched.map(([roomId]) => roomId));
    for (const [roomId, feed] of watched) feed.catchUp(newest.get(roomId) ?? 0);
  }

  /** Call when the room's last local socket left. */
  roomEmptied(roomId: string): void {
    const feed = this.feeds.get(roomId);
    feed?.retireIfUnused(() => this.feeds.delete(roomId));
  }

  get size(): number {
    return this.feeds.size;
  }
}
