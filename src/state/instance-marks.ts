// Marks one instance holds in shared sets, as `instance|key`, each alive until renewed: the
// instance renews all of them on a heartbeat, and an instance that dies stops renewing, so
// its marks expire by themselves. Presence and the connection count are both kept this way.
// A lone instance (no Redis) has no one to share them with: it keeps them in its own memory
// once (LocalMarks), not a second time in an in-memory copy of the shared state.
import type { FastState } from "./fast-state";

/** A mark lives this long unless renewed. */
const MARK_TTL_MS = 30_000;
/** Renew every third of a mark's life, so that one missed beat loses nothing. */
export const MARKS_HEARTBEAT_MS = MARK_TTL_MS / 3;

/** Sets of keys an instance has marked. */
export interface Marks {
  mark(set: string, key: string): Promise<void>;
  unmark(set: string, key: string): Promise<void>;
  /** The keys marked in the set by any instance, and not expired. */
  keys(set: string): Promise<string[]>;
  /** Renews every mark this instance holds. */
  renew(): Promise<void>;
}

/**
 * set -> the keys marked in it: a lone key as itself, more in a Set. Most sets hold one (a
 * person's connections, on one instance): a Set each cost about 260 bytes.
 */
class KeySets {
  private readonly sets = new Map<string, string | Set<string>>();

  add(set: string, key: string): void {
    const keys = this.sets.get(set);
    if (keys === undefined) this.sets.set(set, key);
    else if (typeof keys !== "string") keys.add(key);
    else if (keys !== key) this.sets.set(set, new Set([keys, key]));
  }

  delete(set: string, key: string): void {
    const keys = this.sets.get(set);
    if (keys === key) this.sets.delete(set);
    else if (typeof keys === "object" && keys.delete(key) && keys.size <= 1) {
      const [last] = keys;
      if (last === undefined) this.sets.delete(set);
      else this.sets.set(set, last);
    }
  }

  keys(set: string): string[] {
    const keys = this.sets.get(set);
    return keys === undefined ? [] : typeof keys === "string" ? [keys] : [...keys];
  }

  *entries(): Generator<[string, string[]]> {
    for (const set of this.sets.keys()) yield [set, this.keys(set)];
  }
}

export class InstanceMarks implements Marks {
  private readonly held = new KeySets();

  constructor(
    private readonly state: FastState,
    private readonly instanceId: string,
  ) {}

  async mark(set: string, key: string): Promise<void> {
    this.held.add(set, key);
    await this.state.markPresent([{ set, member: this.member(key), until: Date.now() + MARK_TTL_MS }]);
  }

  async unmark(set: string, key: string): Promise<void> {
    this.held.delete(set, key);
    await this.state.markAbsent(set, this.member(key));
  }

  async keys(set: string): Promise<string[]> {
    return (await this.state.present(set)).map((member) => member.slice(member.indexOf("|") + 1));
  }

  renew(): Promise<void> {
    const until = Date.now() + MARK_TTL_MS;
    return this.state.markPresent([...this.held.entries()].flatMap(([set, keys]) => keys.map((key) => ({ set, member: this.member(key), until }))));
  }

  private member(key: string): string {
    return `${this.instanceId}|${key}`;
  }
}

/**
 * The marks of a lone instance: nobody else reads them and they die with the process, so they
 * are kept once, here, and never expire or need renewing. Kept in the in-memory fast state as
 * well, each mark cost a second set entry, its `instance|key` name and its time, about 450
 * bytes of heap per joined connection (its connection and its presence in a room).
 */
export class LocalMarks implements Marks {
  private readonly held = new KeySets();

  async mark(set: string, key: string): Promise<void> {
    this.held.add(set, key);
  }

  async unmark(set: string, key: string): Promise<void> {
    this.held.delete(set, key);
  }

  async keys(set: string): Promise<string[]> {
    return this.held.keys(set);
  }

  async renew(): Promise<void> {}
}
