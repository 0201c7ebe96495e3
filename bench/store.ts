// What storing costs: one group-commit statement (src/messages/store.ts) timed alone, by batch
// size and by how the batch spreads over rooms, with nothing else running on the database.
// Each message is a member's, in rooms of 5 (or one room of 1,000), as in bench/scenarios.ts.
//   bun bench/store.ts [--rounds 30]
// TEST_DATABASE_URL= (set, empty) runs it on PGlite.
import "./defaults";
import { parseArgs } from "node:util";
import { openDatabase } from "../src/db/sql";
import { type NewMessage, storeMessages } from "../src/messages/store";
import { freshDatabase, testConfig } from "../test/harness";
import { LatencyHistogram } from "./load/latency";
import { populate } from "./servers";

const { values: args } = parseArgs({ options: { rounds: { type: "string", default: "30" } } });
const rounds = Number(args.rounds);

/** [rooms, members per room, messages per statement]: one message per room unless the room is one. */
const SHAPES: [number, number, number][] = [
  [1, 1000, 1],
  [1, 1000, 10],
  [1, 1000, 100],
  [500, 5, 1],
  [500, 5, 10],
  [500, 5, 100],
  [500, 5, 500],
];

const { config, drop } = await freshDatabase(testConfig());
const db = await openDatabase(config);
try {
  for (const [rooms, members, batch] of SHAPES) {
    const usernames = Array.from({ length: rooms * members }, () => `store${crypto.randomUUID().slice(0, 13)}`);
    const roomIds = await populate(db.sql, usernames, { rooms, membersPerRoom: members }, config.passwordHashing);
    const userIds = (await db.sql<{ id: string }[]>`select id from users where username = any(string_to_array(${usernames.join(",")}, ','))`).map((u) => u.id);
    const byName = new Map(
      (await db.sql<{ id: string; username: string }[]>`select id, username from users where id = any(string_to_array(${userIds.join(",")}, ',')::uuid[])`).map((u) => [
        u.id,
        u.username,
      ]),
    );
    // Everyone a member of their room, as joining makes them.
    const memberships = usernames.map((_, i) => ({ room_id: roomIds[Math.floor(i / members)]!, user_id: userIds[i]! }));
    await db.sql`insert into memberships ${db.sql(memberships)} on conflict do nothing`;
    const timings = new LatencyHistogram();
    let n = 0;
    const message = (i: number): NewMessage => {
      const member = memberships[(i * members + (i % members)) % memberships.length]!;
      return { roomId: member.room_id, senderId: member.user_id, username: byName.get(member.user_id)!, content: "x".repeat(64), clientId: `c${n++}`, replyToId: null };
    };
    for (let round = 0; round < rounds + 3; round++) {
      const messages = Array.from({ length: batch }, (_, i) => message(rooms === 1 ? 0 : (round * batch + i) % rooms));
      const started = performance.now();
      const stored = await storeMessages(db.sql, messages);
      if (round >= 3) timings.record(performance.now() - started); // the first rounds warm the plan cache
      if (stored.some((s) => s.outcome !== "stored")) throw new Error(`not stored: ${JSON.stringify(stored.find((s) => s.outcome !== "stored"))}`);
    }
    const p50 = timings.quantile(0.5) ?? 0;
    console.log(JSON.stringify({ rooms, membersPerRoom: members, batch, p50ms: p50, p99ms: timings.quantile(0.99), perMessageMs: Math.round((p50 / batch) * 1000) / 1000 }));
  }
} finally {
  await db.close();
  await drop();
}
process.exit(0);
