// One timer for every live socket's token expiry (src/realtime/expiries.ts): each socket is
// ended when its time comes, in order, and never one that has gone already.
import { describe, expect, test } from "bun:test";
import { Expiries, MAX_TIMER_MS } from "../src/realtime/expiries";

function queue(live: Set<string>) {
  const ended: { id: string; lateMs: number; due: [number, number] }[] = [];
  /** When each is due: its lifetime after the clock read just before it was added, and just after. */
  const due = new Map<string, [number, number]>();
  const expiries = new Expiries({
    expire: (id) => {
      ended.push({ id, lateMs: performance.now() - due.get(id)![0], due: due.get(id)! });
      live.delete(id);
    },
    isLive: (id) => live.has(id),
    liveCount: () => live.size,
  });
  const add = (id: string, lifetimeMs: number) => {
    live.add(id);
    const before = performance.now();
    expiries.add(id, lifetimeMs);
    due.set(id, [before + lifetimeMs, performance.now() + lifetimeMs]);
  };
  return { expiries, ended, add };
}

describe("expiries", () => {
  test("each socket is ended once its lifetime has passed, soonest first, whatever order they came in", async () => {
    const live = new Set<string>();
    const { ended, add } = queue(live);
    const lifetimes = Array.from({ length: 200 }, (_, i) => ((i * 37) % 200) / 2); // 0 to 99.5 ms, shuffled
    lifetimes.forEach((ms, i) => add(`s${i}`, ms));
    add("later", 500);
    await Bun.sleep(300);
    expect(ended.length).toBe(200);
    expect(ended.every(({ lateMs }) => lateMs >= 0)).toBe(true);
    // Soonest due first: none ended after one that was certainly due later. (Each is due its
    // lifetime after it was added, so not quite in lifetime order.)
    expect(ended.filter(({ due: [, latest] }, i) => i > 0 && latest < ended[i - 1]!.due[0])).toEqual([]);
    expect(live).toEqual(new Set(["later"]));
    await Bun.sleep(400);
    expect(ended.at(-1)!.id).toBe("later");
  });

  test("a socket that went away early is not ended, and a sooner newcomer rearms the timer", async () => {
    const live = new Set<string>();
    const { ended, add } = queue(live);
    add("gone", 20);
    add("far", 10_000);
    live.delete("gone");
    add("soon", 10);
    await Bun.sleep(150);
    expect(ended.map(({ id }) => id)).toEqual(["soon"]);
  });

  test("entries of sockets gone are dropped once they outnumber the live ones, live ones kept in order", async () => {
    const live = new Set<string>();
    const { expiries, ended, add } = queue(live);
    for (let i = 0; i < 3000; i++) {
      add(`gone${i}`, 60_000);
      live.delete(`gone${i}`);
    }
    add("stays", 30);
    expect(expiries.size).toBeLessThan(1100);
    await Bun.sleep(150);
    expect(ended.map(({ id }) => id)).toEqual(["stays"]);
  });

  test("a lifetime longer than a timer can wait is cut to it (about 24 days), not ended at once as setTimeout would", async () => {
    const live = new Set<string>();
    const { ended, add } = queue(live);
    add("forever", Infinity);
    add("months", 100 * 86_400_000);
    await Bun.sleep(20);
    expect(ended).toEqual([]);
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
  });
});
