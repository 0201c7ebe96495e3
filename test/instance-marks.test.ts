// Marks an instance holds in sets (src/state/instance-marks.ts): shared through the fast state
// (here its in-memory one) or, for a lone instance, kept locally. A set of one key and a set of
// several behave the same, however they got there.
import { describe, expect, test } from "bun:test";
import { MemoryState } from "../src/state/fast-state";
import { InstanceMarks, LocalMarks, type Marks } from "../src/state/instance-marks";

const sorted = async (keys: Promise<string[]>) => (await keys).sort();

describe.each([
  ["shared", () => new InstanceMarks(new MemoryState(), "instance-a")],
  ["local", () => new LocalMarks()],
] as [string, () => Marks][])("%s marks", (_, make) => {
  test("a set's keys, from one to several and back to none; marking a key twice holds it once", async () => {
    const marks = make();
    await marks.mark("s", "k1");
    await marks.mark("s", "k1");
    expect(await marks.keys("s")).toEqual(["k1"]);
    await marks.mark("s", "k2");
    await marks.mark("s", "k3");
    expect(await sorted(marks.keys("s"))).toEqual(["k1", "k2", "k3"]);
    await marks.unmark("s", "k2");
    await marks.unmark("s", "k1");
    expect(await marks.keys("s")).toEqual(["k3"]);
    await marks.mark("s", "k4");
    expect(await sorted(marks.keys("s"))).toEqual(["k3", "k4"]);
    await marks.unmark("s", "k3");
    await marks.unmark("s", "k4");
    await marks.unmark("s", "never marked");
    expect(await marks.keys("s")).toEqual([]);
    await marks.renew();
    expect(await marks.keys("s")).toEqual([]);
  });

  test("sets are apart: a key in one is not in another", async () => {
    const marks = make();
    await marks.mark("connections:a", "k");
    await marks.mark("presence:r", "a");
    expect(await marks.keys("connections:a")).toEqual(["k"]);
    expect(await marks.keys("presence:r")).toEqual(["a"]);
    expect(await marks.keys("connections:b")).toEqual([]);
  });
});

describe("instance marks", () => {
  test("renewing keeps every held key, lone or not, and another instance's keys count too", async () => {
    const state = new MemoryState();
    const [a, b] = [new InstanceMarks(state, "a"), new InstanceMarks(state, "b")];
    await a.mark("lone", "x");
    await a.mark("many", "y");
    await a.mark("many", "z");
    await b.mark("lone", "w");
    await a.renew();
    expect(await sorted(a.keys("lone"))).toEqual(["w", "x"]);
    expect(await sorted(a.keys("many"))).toEqual(["y", "z"]);
    await b.unmark("lone", "w");
    expect(await a.keys("lone")).toEqual(["x"]);
  });

  test("an expired mark is not present, alone in its set or among others", async () => {
    const state = new MemoryState();
    const past = Date.now() - 1;
    await state.markPresent([{ set: "alone", member: "gone", until: past }]);
    expect(await state.present("alone")).toEqual([]);
    await state.markPresent([{ set: "alone", member: "gone", until: Date.now() + 60_000 }]);
    expect(await state.present("alone")).toEqual(["gone"]);
    await state.markPresent([
      { set: "mixed", member: "old", until: past },
      { set: "mixed", member: "new", until: Date.now() + 60_000 },
    ]);
    expect(await state.present("mixed")).toEqual(["new"]);
    await state.markAbsent("mixed", "new");
    await state.markAbsent("mixed", "old");
    expect(await state.present("mixed")).toEqual([]);
  });
});
