// Shared fast state: small values with a lifetime, and sets of members that expire. In
// Redis when there is one (shared by every instance), else in this process's memory.
import type { Redis } from "ioredis";

export interface Hits {
  /** Hits in the current window, this one included. */
  count: number;
  /** When the window ends, in ms from now. */
  resetMs: number;
}

export interface FastState {
  /** Counts a hit on `key` in a fixed window of `windowMs` that starts with its first hit. */
  hit(key: string, windowMs: number): Promise<Hits>;
  /** Several values at once; undefined where absent or expired. */
  get(keys: string[]): Promise<(string | undefined)[]>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Marks each member of each set present until its time (ms since the epoch). */
  markPresent(marks: { set: string; member: string; until: number }[]): Promise<void>;
  markAbsent(set: string, member: string): Promise<void>;
  /** The members of a set whose mark has not expired. */
  present(set: string): Promise<string[]>;
}

export class MemoryState implements FastState {
  private readonly values = new Map<string, { value: string; until: number }>();
  private readonly sets = new Map<string, Map<string, number>>();
  private readonly windows = new Map<string, { count: number; until: number }>();

  async hit(key: string, windowMs: number) {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.until <= now) {
      this.forgetEndedWindows(now);
      this.windows.set(key, (window = { count: 0, until: now + windowMs }));
    }
    window.count++;
    return { count: window.count, resetMs: window.until - now };
  }

  // Counters of quiet keys would otherwise stay forever; swept when windows turn over.
  private forgetEndedWindows(now: number) {
    if (this.windows.size < 10_000) return;
    for (const [key, window] of this.windows) if (window.until <= now) this.windows.delete(key);
  }

  async get(keys: string[]) {
    const now = Date.now();
    return keys.map((key) => {
      const entry = this.values.get(key);
      if (entry && entry.until <= now) this.values.delete(key);
      return entry && entry.until > now ? entry.value : undefined;
    });
  }

  async set(key: string, value: string, ttlMs: number) {
    this.values.set(key, { value, until: Date.now() + ttlMs });
  }

  async markPresent(marks: { set: string; member: string; until: number }[]) {
    for (const { set, member, until } of marks) {
      if (!this.sets.has(set)) this.sets.set(set, new Map());
      this.sets.get(set)!.set(member, until);
    }
  }

  async markAbsent(set: string, member: string) {
    this.sets.get(set)?.delete(member);
    if (this.sets.get(set)?.size === 0) this.sets.delete(set);
  }

  async present(set: string) {
    const now = Date.now();
    return [...(this.sets.get(set) ?? [])].filter(([, until]) => until > now).map(([member]) => member);
  }
}

/** A set lives at most this long after its last mark, so abandoned ones do not pile up. */
const SET_LIFETIME_MS = 10 * 60_000;

export class RedisState implements FastState {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(key: string, windowMs: number) {
    const k = this.prefix + key;
    const replies = (await this.redis.multi().incr(k).pexpire(k, windowMs, "NX").pttl(k).exec()) ?? [];
    const [count, , ttl] = replies.map(([error, value]) => {
      if (error) throw error;
      return Number(value);
    });
    return { count: count!, resetMs: Math.max(0, ttl!) };
  }

  async get(keys: string[]) {
    if (keys.length === 0) return [];
    return (await this.redis.mget(keys.map((k) => this.prefix + k))).map((v) => v ?? undefined);
  }

  async set(key: string, value: string, ttlMs: number) {
    await this.redis.set(this.prefix + key, value, "PX", ttlMs);
  }

  async markPresent(marks: { set: string; member: string; until: number }[]) {
    if (marks.length === 0) return;
    const batch = this.redis.multi();
    for (const { set, member, until } of marks) {
      batch.zadd(this.prefix + set, until, member).pexpire(this.prefix + set, SET_LIFETIME_MS);
    }
    await batch.exec();
  }

  async markAbsent(set: string, member: string) {
    await this.redis.zrem(this.prefix + set, member);
  }

  async present(set: string) {
    const key = this.prefix + set;
    const now = Date.now();
    const [, members] = (await this.redis.multi().zremrangebyscore(key, "-inf", now).zrangebyscore(key, now, "+inf").exec()) ?? [];
    return (members?.[1] as string[] | undefined) ?? [];
  }
}
