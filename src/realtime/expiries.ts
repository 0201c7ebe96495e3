// When each live socket's token runs out: one timer for all of them, armed for the soonest,
// instead of a Timer per socket (176 bytes of heap each, plus Bun's native timer and the
// callback's arguments: at 10,000 idle sockets, 10,000 timers that wait for hours).

/** setTimeout's longest delay: 2^31 - 1 ms (a longer one would fire at once). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** Entries of sockets already gone are dropped once they outnumber the live ones by this many. */
const STALE_ALLOWED = 1024;

export interface ExpiryDeps {
  /** Ends the socket, if it is still here. */
  expire(id: string): void;
  isLive(id: string): boolean;
  liveCount(): number;
}

/**
 * A min-heap of (when, socket id), kept in two arrays so that a socket costs two array slots
 * and no object of its own. Times are performance.now()'s, like a timer's: a change of the
 * wall clock neither hastens nor delays an expiry. A socket that goes away early is not
 * looked for: its entry is skipped when due, and dropped with the others once they pile up.
 */
export class Expiries {
  private readonly due: number[] = [];
  private readonly ids: string[] = [];
  private timer: Timer | undefined;
  /** The time the timer is armed for; Infinity when it is not. */
  private armedFor = Infinity;

  constructor(private readonly deps: ExpiryDeps) {}

  /** The socket `id` is ended in `lifetimeMs`, or in MAX_TIMER_MS if that is sooner. */
  add(id: string, lifetimeMs: number): void {
    if (this.ids.length >= 2 * this.deps.liveCount() + STALE_ALLOWED) this.dropStale();
    const due = performance.now() + Math.min(lifetimeMs, MAX_TIMER_MS);
    this.due.push(due);
    this.ids.push(id);
    this.up(this.ids.length - 1);
    if (due < this.armedFor) this.arm();
  }

  /** Entries, live or stale (for tests). */
  get size(): number {
    return this.ids.length;
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = this.due[0] ?? Infinity;
    if (this.armedFor === Infinity) return;
    this.timer = setTimeout(() => this.fire(), Math.min(Math.max(0, this.armedFor - performance.now()), MAX_TIMER_MS));
    // The sockets keep the process alive, not the timer that would end them.
    this.timer.unref();
  }

  private fire(): void {
    const now = performance.now();
    while (this.ids.length > 0 && this.due[0]! <= now) {
      const id = this.ids[0]!;
      this.removeTop();
      if (this.deps.isLive(id)) this.deps.expire(id);
    }
    this.arm();
  }

  private removeTop(): void {
    const lastDue = this.due.pop()!;
    const lastId = this.ids.pop()!;
    if (this.ids.length === 0) return;
    this.due[0] = lastDue;
    this.ids[0] = lastId;
    this.down(0);
  }

  private dropStale(): void {
    let kept = 0;
    for (let i = 0; i < this.ids.length; i++) {
      if (!this.deps.isLive(this.ids[i]!)) continue;
      this.due[kept] = this.due[i]!;
      this.ids[kept] = this.ids[i]!;
      kept++;
    }
    this.due.length = kept;
    this.ids.length = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.due[parent]! <= this.due[i]!) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < this.ids.length && this.due[left]! < this.due[least]!) least = left;
      if (right < this.ids.length && this.due[right]! < this.due[least]!) least = right;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }

  private swap(a: number, b: number): void {
    const due = this.due[a]!;
    const id = this.ids[a]!;
    this.due[a] = this.due[b]!;
    this.ids[a] = this.ids[b]!;
    this.due[b] = due;
    this.ids[b] = id;
  }
}
