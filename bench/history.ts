// History reads: a room holding a million messages (written straight into the table before
// ChatLoop starts), and pages of 50 read one after another through GET /messages/:roomId, from
// the newest, from the middle and from the very beginning. ChatLoop only: the references store
// nothing.
import type { Sql } from "../src/db/sql";
import { targets } from "./client/targets";
import { LatencyHistogram, now } from "./load/latency";
import { PASSWORD, startServer } from "./servers";

const PAGE = 50;
const READS = 300;
const WARM_UP_READS = 20;
const ROWS_PER_INSERT = 100_000;

export async function runHistory(messages = 1_000_000) {
  let buildSeconds = 0;
  const server = await startServer("chatloop", { rooms: 1, membersPerRoom: 1 }, async (sql, [roomId]) => void (buildSeconds = await fillRoom(sql, roomId!, messages)));
  try {
    const [roomId] = server.rooms as [string];
    const base = server.bases[0]!;
    const { token } = await targets.chatloop.login(base, { username: server.usernames[0]!, password: PASSWORD });
    const read = (query: string) => readPages(`${base}/messages/${roomId}?limit=${PAGE}${query}`, token!);
    const newest = await read("");
    const middle = await read(`&before=${Math.floor(messages / 2)}`);
    const oldest = await read(`&before=${PAGE + 1}`);
    return {
      scenario: "history",
      target: "chatloop",
      messagesInRoom: messages,
      buildSeconds,
      reads: READS,
      newestP50ms: newest.quantile(0.5),
      newestP99ms: newest.quantile(0.99),
      middleP50ms: middle.quantile(0.5),
      middleP99ms: middle.quantile(0.99),
      oldestP50ms: oldest.quantile(0.5),
      oldestP99ms: oldest.quantile(0.99),
    };
  } finally {
    await server.stop();
  }
}

/** Writes `messages` messages by the room's owner straight into its table; answers how long that took, in s. */
async function fillRoom(sql: Sql, roomId: string, messages: number): Promise<number> {
  const built = now();
  const [room] = await sql<{ owner_id: string }[]>`select owner_id from rooms where id = ${roomId}`;
  const senderId = room!.owner_id;
  for (let from = 1; from <= messages; from += ROWS_PER_INSERT) {
    const to = Math.min(messages, from + ROWS_PER_INSERT - 1);
    await sql`insert into messages (room_id, seq, rev, sender_id, content)
              select ${roomId}, g, g, ${senderId}, 'history message number ' || g from generate_series(${from}::int, ${to}::int) g`;
  }
  await sql`update rooms set last_seq = ${messages}, last_rev = ${messages} where id = ${roomId}`;
  await sql`analyze messages`;
  return Math.round((now() - built) / 100) / 10;
}

/** Reads the same page READS times, one request at a time, and times each. */
async function readPages(url: string, token: string): Promise<LatencyHistogram> {
  const latency = new LatencyHistogram();
  const headers = { authorization: `Bearer ${token}` };
  for (let i = 0; i < WARM_UP_READS + READS; i++) {
    const started = now();
    const response = await fetch(url, { headers });
    const page = (await response.json()) as unknown[];
    if (response.status !== 200 || page.length !== PAGE) throw new Error(`${url}: ${response.status}, ${page.length} messages`);
    if (i >= WARM_UP_READS) latency.record(now() - started);
  }
  return latency;
}
