// Shared fast state: small values with a lifetime, and sets of members that expire. In
// Redis when there is one (shared by every instance), else in this process's memory.
import type { Redis } from "ioredis";

export interface Hits {
  /** Hits in the current window, this one included. */
  count: number;
  /** When the window ends, in ms from now. */
  resetMs: number;
}

/** The answer of `admit`: the use, recorded under `id`, or how long until one more would be. */
export type Admission = { admitted: true; id: string } | { admitted: false; retryMs: number };

export interface FastState {
  /** Counts a hit on `key` in a fixed window of `windowMs` that starts with its first hit. */
  hit(key: string, windowMs: number): Promise<Hits>;
  /**
   * Records a use of `key` unless `max` of its uses fell within the last `windowMs` (a sliding
   * window: never more than `max` in any span of that length). A refused use is not recorded.
   */
  admit(key: string, windowMs: number, max: number): Promise<Admission>;
  /** Takes back a use that `admit` recorded. */
  forgetUse(key: string, id: string): Promise<void>;
  /** Several values at once; undefined where absent or expired. */
  get(keys: string[]): Promise<(string | undefined)[]>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Marks each member of each set present until its time (ms since the epoch). */
  markPresent(marks: { set: string; member: string; until: number }[]): Promise<void>;
  markAbsent(set: string, member: string): Promise<void>;
  /** The members of a set whose mark has not expired. */
  present(set: string): Promise<string[]>;
}

/** A map of expiring entries is first swept when it holds this many. */
const FIRST_SWEEP = 10_000;

/**
 * Deletes the entries of `map` that have `ended` once it has grown to `at`, and returns the
 * size at which to sweep next: twice what is left (at least FIRST_SWEEP), so that however many
 * entries are live, sweeping costs a constant time per entry added rather than a walk per call.
 */
function sweepGrown<V>(map: Map<string, V>, at: number, ended: (value: V) => boolean): number {
  if (map.size < at) return at;
  for (const [key, value] of map) if (ended(value)) map.delete(key);
  return Math.max(FIRST_SWEEP, map.size * 2);
}

export class MemoryState implements FastState {
  private readonly values = new Map<string, { value: string; until: number }>();
  /** The size at which `values` is next swept of what has expired. */
  private sweepValuesAt = FIRST_SWEEP;
  private readonly sets = new Map<string, Map<string, number>>();
  private readonly windows = new Map<string, { count: number; until: number }>();
  private readonly uses = new Map<string, { id: string; until: number }[]>();
  /** Names each use, for forgetUse: unique within this process, which is where they live. */
  private lastUse = 0;
  private sweepWindowsAt = FIRST_SWEEP;
  private sweepUsesAt = FIRST_SWEEP;

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
    this.sweepWindowsAt = sweepGrown(this.windows, this.sweepWindowsAt, (window) => window.until <= now);
  }

  async admit(key: string, windowMs: number, max: number): Promise<Admission> {
    const now = Date.now();
    this.sweepUsesAt = sweepGrown(this.uses, this.sweepUsesAt, (list) => (list.at(-1)?.until ?? 0) <= now);
    // A key's uses end in the order they were made (its window never changes): the ended ones
    // are at the front. Dropped there, not filtered into a copy, as this runs for every message.
    let recent = this.uses.get(key);
    if (!recent) this.uses.set(key, (recent = []));
    let ended = 0;
    while (ended < recent.length && recent[ended]!.until <= now) ended++;
    if (ended > 0) recent.splice(0, ended);
    if (recent.length >= max) return { admitted: false, retryMs: recent[recent.length - max]!.until - now };
    const id = String(++this.lastUse);
    recent.push({ id, until: now + windowMs });
    return { admitted: true, id };
  }

  async forgetUse(key: string, id: string) {
    const rest = this.uses.get(key)?.filter((use) => use.id !== id);
    if (rest?.length) this.uses.set(key, rest);
    else this.uses.delete(key);
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
    const now = Date.now();
    // An expired value is otherwise dropped only when read again: a session cached once, or a
    // revocation mark, would stay for good.
    this.sweepValuesAt = sweepGrown(this.values, this.sweepValuesAt, (entry) => entry.until <= now);
    this.values.set(key, { value, until: now + ttlMs });
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

/**
 * `admit` in one step, so that instances admitting at once cannot overshoot: a sorted set of
 * the uses' times. KEYS[1] the key; ARGV now (ms), windowMs, max, the new use's id. Answers
 * { 1 } or { 0, ms until the oldest use that counts leaves the window }.
 */
const ADMIT = `
local key, now, window, max = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= max then
  local oldest = redis.call('ZRANGE', key, count - max, count - max, 'WITHSCORES')
  return { 0, tonumber(oldest[2]) + window - now }
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, window)
return { 1 }`;

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

  async admit(key: string, windowMs: number, max: number): Promise<Admission> {
    const id = crypto.randomUUID();
    const [admitted, retryMs] = (await this.redis.eval(ADMIT, 1, this.prefix + key, Date.now(), windowMs, max, id)) as number[];
    return admitted ? { admitted: true, id } : { admitted: false, retryMs: Math.max(0, retryMs!) };
  }

  async forgetUse(key: string, id: string) {
    await this.redis.zrem(this.prefix + key, id);
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
