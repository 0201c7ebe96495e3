// The in-memory fast state (one instance without Redis) keeps no value past its lifetime for
// good, even one never read again: a session cached once, or a revocation mark.
import { expect, test } from "bun:test";
import { MemoryState } from "../src/state/fast-state";

test("expired values are swept as new ones come, not only when read again; live ones stay", async () => {
  const state = new MemoryState();
  const size = () => (state as unknown as { values: Map<string, unknown> }).values.size;
  for (let i = 0; i < 10_000; i++) await state.set(`session:${i}`, "cached", 200);
  await state.set("live", "stays", 60_000); // the first sweep, at 10,000: nothing has expired yet
  expect(size()).toBe(10_001);
  await Bun.sleep(250);
  // The next, once the map has doubled: the 10,000 that expired meanwhile go.
  for (let i = 0; i < 10_000; i++) await state.set(`new:${i}`, "v", 60_000);
  expect(size()).toBe(10_001);
  expect(await state.get(["live", "session:1", "new:9999"])).toEqual(["stays", undefined, "v"]);
});
