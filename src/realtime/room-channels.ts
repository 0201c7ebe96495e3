// Each room's log changes between instances, and only to the instances that deliver the room:
// a Redis sharded channel per room (SPUBLISH and SSUBSCRIBE, Redis 7), to which an instance
// subscribes while it has a feed for the room, that is while it has sockets in it. An instance
// with nobody in a room hears nothing of it; on Redis Cluster each room's channel lives on the
// shard of its key, so no one node carries every message.
//
// Losing a change here is never losing a message: a feed that sees a gap, or the reconciling
// every instance does, reads what it missed from the log. What this keeps is speed.
import type { Redis } from "ioredis";
import type { Message } from "../messages/schemas";

/**
 * How long a first join in a room waits for its channel's subscription before it reads where
 * the room stands: long enough that even a busy Redis answers (a change published after the
 * read then reaches this instance), short enough that a frozen one does not hold joins up for
 * long (the reconciling closes the gap instead). A Redis that is down refuses at once.
 */
const SUBSCRIBE_WAIT_MS = 1000;

export interface RoomChannelsDeps {
  /** Publishes; may be shared with other publishers. */
  pub: Redis;
  /**
   * Subscribes to room channels only: created with `autoResubscribe: false` and
   * `enableOfflineQueue: false`, since these channels resubscribe themselves whenever it is
   * ready again.
   */
  sub: Redis;
  /** Starts every channel's name, which is followed by the room's id. */
  prefix: string;
  /** A change another instance published in a watched room. */
  received(message: Message): void;
  /** The subscriptions are back in place after Redis was away: what was published meanwhile is missed. */
  resubscribed(): void;
  onError(error: unknown): void;
}

export class RoomChannels {
  /** Rooms this instance delivers, whose channels it subscribes to. */
  private readonly watched = new Set<string>();

  constructor(private readonly deps: RoomChannelsDeps) {
    deps.sub.on("smessage", (_channel: string, raw: string) => {
      try {
        deps.received(JSON.parse(raw));
      } catch (error) {
        deps.onError(error); // not one of ours: someone else publishing under this prefix
      }
    });
    deps.sub.on("ready", () => {
      Promise.all([...this.watched].map((roomId) => deps.sub.ssubscribe(this.channelOf(roomId)))).then(deps.resubscribed, deps.onError);
    });
  }

  /** Subscribes to the room's changes; resolves once Redis has it, or after SUBSCRIBE_WAIT_MS. */
  async watch(roomId: string): Promise<void> {
    this.watched.add(roomId);
    const subscribed = this.deps.sub.ssubscribe(this.channelOf(roomId)).catch(() => {}); // Redis away: made when it is ready again
    await Promise.race([subscribed, Bun.sleep(SUBSCRIBE_WAIT_MS)]);
  }

  unwatch(roomId: string): void {
    this.watched.delete(roomId);
    this.deps.sub.sunsubscribe(this.channelOf(roomId)).catch(() => {}); // Redis away: it forgot every subscription anyway
  }

  /** Tells the other instances that deliver the room. */
  publish(message: Message): void {
    this.deps.pub.spublish(this.channelOf(message.roomId), JSON.stringify(message)).catch(this.deps.onError);
  }

  private channelOf(roomId: string): string {
    return `${this.deps.prefix}${roomId}`;
  }
}
