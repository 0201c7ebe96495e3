// Marks one instance holds in shared sets, as `instance|key`, each alive until renewed: the
// instance renews all of them on a heartbeat, and an instance that dies stops renewing, so
// its marks expire by themselves. Presence and the connection count are both kept this way.
import type { FastState } from "./fast-state";

/** A mark lives this long unless renewed. */
const MARK_TTL_MS = 30_000;
/** Renew every third of a mark's life, so that one missed beat loses nothing. */
export const MARKS_HEARTBEAT_MS = MARK_TTL_MS / 3;

export class InstanceMarks {
  /**
   * set -> the keys this instance has marked in it: a lone key as itself, more in a Set. Most
   * sets hold one (a person's connections, on one instance): a Set each cost about 260 bytes.
   */
  private readonly held = new Map<string, string | Set<string>>();

  constructor(
    private readonly state: FastState,
    private readonly instanceId: string,
  ) {}

  async mark(set: string, key: string): Promise<void> {
    const keys = this.held.get(set);
    if (keys === undefined) this.held.set(set, key);
    else if (typeof keys !== "string") keys.add(key);
    else if (keys !== key) this.held.set(set, new Set([keys, key]));
    await this.state.markPresent([{ set, member: this.member(key), until: Date.now() + MARK_TTL_MS }]);
  }

  async unmark(set: string, key: string): Promise<void> {
    const keys = this.held.get(set);
    if (keys === key) this.held.delete(set);
    else if (typeof keys === "object" && keys.delete(key) && keys.size <= 1) {
      const [last] = keys;
      if (last === undefined) this.held.delete(set);
      else this.held.set(set, last);
    }
    await this.state.markAbsent(set, this.member(key));
  }

  /** The keys marked in the set by any instance, and not expired. */
  async keys(set: string): Promise<string[]> {
    return (await this.state.present(set)).map((member) => member.slice(member.indexOf("|") + 1));
  }

  /** Renews every mark this instance holds. */
  renew(): Promise<void> {
    const until = Date.now() + MARK_TTL_MS;
    return this.state.markPresent(
      [...this.held].flatMap(([set, keys]) => (typeof keys === "string" ? [keys] : [...keys]).map((key) => ({ set, member: this.member(key), until }))),
    );
  }

  private member(key: string): string {
    return `${this.instanceId}|${key}`;
  }
}
