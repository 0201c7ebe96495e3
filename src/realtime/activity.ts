// What people hear of their rooms wherever they are on the site: `roomActivity` (the room's
// newest seq and what is left unread for them) and `notification` (someone else's message that
// matches their level). Every instance hears of every new message, gathered (PostedDigest),
// and tells the people it has sockets for, so between them everyone is told once, and a person
// hears of a room at most once a second however many instances store its messages.
//
// Coalesced: a room's new messages are gathered and told at most once a second, and each
// round asks the database once for every room that is due. A room of 1,000 at full speed
// costs one query and 1,000 small events a second, whatever its message rate.
import type { Message } from "../messages/schemas";
import type { Standing } from "../rooms/unread";
import type { RoomActivity as Activity, Notification } from "./events";

/** A room is told at most this often. */
export const ACTIVITY_INTERVAL_MS = 1000;
/** A round waits this long, so that a burst across rooms goes in one query. */
const GATHER_MS = 50;
/**
 * A room keeps at most this many messages for its next round's notifications: nobody reads 50
 * notifications a second from one room, and a flood must not grow without bound. Its
 * roomActivity is told all the same.
 */
const NOTIFIABLE_PER_ROUND = 50;
/** Above this many local users, a round asks for every member of its rooms and picks here. */
const USER_LIST_LIMIT = 1000;

/** Adds the message to its room's in `byRoom`, which keeps the newest NOTIFIABLE_PER_ROUND. */
function keepNewest(byRoom: Map<string, Message[]>, message: Message): void {
  const kept = byRoom.get(message.roomId);
  if (!kept) byRoom.set(message.roomId, [message]);
  else if (kept.push(message) > NOTIFIABLE_PER_ROUND) kept.shift();
}

/**
 * The messages stored on this instance, for the other instances' activity: GATHER_MS of them
 * go as one event to every instance, rather than each message to each (the room channels
 * reach only the instances with sockets in its room, and a person may be anywhere), and no
 * more of a room's than a round keeps.
 */
export class PostedDigest {
  private gathered = new Map<string, Message[]>();
  private timer: Timer | undefined;

  constructor(private readonly send: (messages: Message[]) => void) {}

  add(message: Message): void {
    keepNewest(this.gathered, message);
    this.timer ??= setTimeout(() => this.flush(), GATHER_MS);
  }

  /** Sends what is gathered now: an instance that stops tells the others of its last messages. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.gathered.size === 0) return;
    const messages = [...this.gathered.values()].flat();
    this.gathered = new Map();
    this.send(messages);
  }
}

interface Told {
  roomActivity: Activity;
  notification: Notification;
}

export interface ActivityDeps {
  /** Where the members of these rooms stand: all of them, or only `userIds`. */
  standings(roomIds: string[], userIds?: string[]): Promise<Standing[]>;
  /** Emits to these users' sockets on this instance. */
  tell<E extends keyof Told>(userIds: string[], event: E, payload: Told[E]): void;
  onError(error: unknown): void;
}

export class RoomActivity {
  /** Users with a socket on this instance. */
  readonly usersHere = new Set<string>();
  /** Rooms with news not yet told -> their newest messages. */
  private pending = new Map<string, Message[]>();
  /** Rooms told within the last interval -> when. */
  private readonly told = new Map<string, number>();
  private timer: Timer | undefined;
  private running = false;

  constructor(private readonly deps: ActivityDeps) {}

  posted(message: Message): void {
    keepNewest(this.pending, message);
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private schedule(): void {
    if (this.timer || this.running || this.pending.size === 0) return;
    const now = performance.now();
    let due = Infinity;
    for (const roomId of this.pending.keys()) due = Math.min(due, (this.told.get(roomId) ?? -Infinity) + ACTIVITY_INTERVAL_MS);
    this.timer = setTimeout(() => this.round(), Math.max(GATHER_MS, due - now));
  }

  private async round(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    const now = performance.now();
    for (const [roomId, at] of this.told) if (now - at >= ACTIVITY_INTERVAL_MS) this.told.delete(roomId);
    const due = new Map<string, Message[]>();
    for (const [roomId, messages] of this.pending) {
      if (this.told.has(roomId)) continue;
      due.set(roomId, messages);
      this.pending.delete(roomId);
      this.told.set(roomId, now);
    }
    try {
      if (due.size > 0 && this.usersHere.size > 0) await this.tell(due);
    } catch (error) {
      this.deps.onError(error);
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  private async tell(due: Map<string, Message[]>): Promise<void> {
    const here = this.usersHere;
    const standings = await this.deps.standings([...due.keys()], here.size <= USER_LIST_LIMIT ? [...here] : undefined);
    // Members who stand alike hear one event, encoded once: in a busy room most have read up to
    // the same place, and every member hears the same notification of a message.
    const activity = new Map<string, { payload: Activity; userIds: string[] }>();
    const notifications = new Map<string, { payload: Notification; userIds: string[] }>();
    const add = <P>(told: Map<string, { payload: P; userIds: string[] }>, key: string, payload: P, userId: string) => {
      const same = told.get(key);
      if (same) same.userIds.push(userId);
      else told.set(key, { payload, userIds: [userId] });
    };
    for (const s of standings) {
      if (!here.has(s.userId)) continue;
      const { roomId, lastSeq, unreadCount, mentionCount } = s;
      add(activity, `${roomId} ${lastSeq} ${unreadCount} ${mentionCount}`, { roomId, lastSeq, unreadCount, mentionCount }, s.userId);
      if (s.notify === "none") continue;
      for (const message of due.get(roomId)!) {
        if (message.senderId === s.userId || (s.notify === "mentions" && !message.mentions.includes(s.userId))) continue;
        const roomName = s.kind === "direct" ? message.username : s.name;
        add(notifications, `${message.id} ${roomName}`, { roomId, roomName, kind: s.kind, message }, s.userId);
      }
    }
    for (const { payload, userIds } of activity.values()) this.deps.tell(userIds, "roomActivity", payload);
    for (const { payload, userIds } of notifications.values()) this.deps.tell(userIds, "notification", payload);
  }
}
