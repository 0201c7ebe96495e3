// Unread counts at scale: one person in 200 rooms with 10,000 messages after their read marker
// in each (two million, written straight into the tables before ChatLoop starts), beside 50 public rooms
// they are not in, and GET /rooms read one request at a time. A room's count is arithmetic on
// its log (src/rooms/unread.ts); this times it where a scan would read every message, and checks
// every count against one. ChatLoop only: the references store nothing.
import type { Sql } from "../src/db/sql";
import type { RoomListItem } from "../src/rooms/schemas";
import { targets } from "./client/targets";
import { LatencyHistogram, now } from "./load/latency";
import { PASSWORD, startServer } from "./servers";

/** The one who reads: the first user bench/servers.ts makes. */
const READER = "bench0";
const JOINED_ROOMS = 200;
const OTHER_ROOMS = 50;
/** People who write in each room besides the reader. */
const SENDERS = 8;
/** The reader's own messages open each room: writing moved their read marker past them. */
const OWN_MESSAGES = 3;
/** One in this many messages mentions the reader, and one other is deleted. */
const ONE_IN = 100;
const READS = 300;
const WARM_UP_READS = 20;
const ROOMS_PER_INSERT = 10;

interface Expected {
  lastSeq: number;
  unreadCount: number;
  mentionCount: number;
}

export async function runUnread(unreadPerRoom = 10_000) {
  let buildSeconds = 0;
  let expected = new Map<string, Expected>();
  // One user per room (its owner); the first is the reader, the others write.
  const population = { rooms: JOINED_ROOMS + OTHER_ROOMS, membersPerRoom: 1 };
  const server = await startServer("chatloop", population, async (sql, rooms) => {
    const built = now();
    await fillRooms(sql, rooms, unreadPerRoom);
    buildSeconds = Math.round((now() - built) / 100) / 10;
    expected = await countByScan(sql);
  });
  try {
    const base = server.bases[0]!;
    const { token } = await targets.chatloop.login(base, { username: READER, password: PASSWORD });
    const latency = new LatencyHistogram();
    // A failed read (ChatLoop answers 503 when the query outruns its statement timeout) is timed
    // and counted, not fatal: how often the page fails is part of the answer.
    const failures: string[] = [];
    for (let i = 0; i < WARM_UP_READS + READS; i++) {
      const started = now();
      const response = await fetch(`${base}/rooms`, { headers: { authorization: `Bearer ${token}` } });
      const body = await response.text();
      if (i >= WARM_UP_READS) latency.record(now() - started);
      if (response.status === 200) check(JSON.parse(body) as RoomListItem[], expected);
      else if (i >= WARM_UP_READS) failures.push(`${response.status} ${body}`);
    }
    const total = (key: keyof Expected) => [...expected.values()].reduce((sum, room) => sum + room[key], 0);
    return {
      scenario: "unread",
      target: "chatloop",
      joinedRooms: JOINED_ROOMS,
      otherRooms: OTHER_ROOMS,
      unreadPerRoom,
      messagesWritten: JOINED_ROOMS * (OWN_MESSAGES + unreadPerRoom),
      unreadCount: total("unreadCount"),
      mentionCount: total("mentionCount"),
      buildSeconds,
      reads: READS,
      failedReads: failures.length,
      firstFailure: failures[0],
      roomsP50ms: latency.quantile(0.5),
      roomsP99ms: latency.quantile(0.99),
    };
  } finally {
    await server.stop();
  }
}

/**
 * Rooms 0 to JOINED_ROOMS - 1 have the reader and SENDERS others as members, the rest only the
 * others; each room's owner is among its members. A joined room's log opens with the reader's
 * OWN_MESSAGES, then `unreadPerRoom` by the others in turn, of which one in ONE_IN mentions the
 * reader and one other is deleted (its content gone, its rev a later one, as a deletion's is).
 */
async function fillRooms(sql: Sql, rooms: string[], unreadPerRoom: number): Promise<void> {
  const users = (await sql<{ id: string }[]>`select id from users order by substr(username, 6)::int`).map((row) => row.id);
  const [reader, others] = [users[0]!, users.slice(1)];
  // Room r's owner is user r, one of its writers (room 0's is the reader).
  const writers = (r: number) => Array.from({ length: SENDERS }, (_, k) => others[(r - 1 + k + others.length) % others.length]!);
  const memberships = rooms.flatMap((room, r) => [
    ...writers(r).map((user_id) => ({ room_id: room, user_id, last_read_seq: 0 })),
    ...(r < JOINED_ROOMS ? [{ room_id: room, user_id: reader, last_read_seq: OWN_MESSAGES }] : []),
  ]);
  await sql`insert into memberships ${sql(memberships)}`;
  const last = OWN_MESSAGES + unreadPerRoom;
  for (let from = 0; from < JOINED_ROOMS; from += ROOMS_PER_INSERT) {
    const batch = rooms.slice(from, Math.min(JOINED_ROOMS, from + ROOMS_PER_INSERT)).join(",");
    await sql`
      insert into messages (room_id, seq, rev, sender_id, content, deleted_at)
      select r.id, g,
             case when d.deleted then ${last}::int + g / ${ONE_IN}::int + 1 else g end,
             case when g <= ${OWN_MESSAGES}::int then ${reader}::uuid else w.writers[1 + g % cardinality(w.writers)] end,
             case when d.deleted then '' when d.mentions then ${`@${READER} unread message `} || g else 'unread message ' || g end,
             case when d.deleted then now() end
      from unnest(string_to_array(${batch}, ',')::uuid[]) r(id)
      cross join lateral (select array_agg(user_id order by user_id) as writers from memberships where room_id = r.id and user_id <> ${reader}) w
      cross join generate_series(1, ${last}::int) g
      cross join lateral (select g > ${OWN_MESSAGES}::int and g % ${ONE_IN}::int = ${ONE_IN / 2}::int as deleted, g > ${OWN_MESSAGES}::int and g % ${ONE_IN}::int = 0 as mentions) d`;
  }
  await sql`insert into mentions (room_id, seq, user_id) select room_id, seq, ${reader} from messages where content like ${`@${READER} %`}`;
  await sql`update rooms r set last_seq = m.seq, last_rev = m.rev from (select room_id, max(seq) as seq, max(rev) as rev from messages group by room_id) m where m.room_id = r.id`;
  // As autovacuum leaves a table after a burst of inserts (PostgreSQL 13 and later vacuum on
  // inserts too): statistics made, and the pages marked all-visible, which index-only scans need.
  await sql`vacuum analyze`;
}

/** What the reader's counts must be, counted the slow way: every message after their marker. */
async function countByScan(sql: Sql): Promise<Map<string, Expected>> {
  const rows = await sql<{ room_id: string; last_seq: string; unread: string; mentions: string }[]>`
    select r.id as room_id, r.last_seq,
           count(m.seq) filter (where m.sender_id <> ms.user_id and m.deleted_at is null) as unread,
           count(mn.seq) filter (where m.sender_id <> ms.user_id and m.deleted_at is null) as mentions
    from users u
    join memberships ms on ms.user_id = u.id
    join rooms r on r.id = ms.room_id
    left join messages m on m.room_id = r.id and m.seq > ms.last_read_seq
    left join mentions mn on mn.room_id = m.room_id and mn.seq = m.seq and mn.user_id = u.id
    where u.username = ${READER}
    group by r.id, r.last_seq`;
  return new Map(rows.map((row) => [row.room_id, { lastSeq: Number(row.last_seq), unreadCount: Number(row.unread), mentionCount: Number(row.mentions) }]));
}

/** Every room is listed, and each of the reader's rooms with the counts the scan found. */
function check(rooms: RoomListItem[], expected: Map<string, Expected>): void {
  if (rooms.length !== JOINED_ROOMS + OTHER_ROOMS) throw new Error(`GET /rooms listed ${rooms.length} rooms`);
  const joined = rooms.filter((room) => room.isMember);
  if (joined.length !== expected.size) throw new Error(`GET /rooms: member of ${joined.length} rooms, not ${expected.size}`);
  for (const room of joined) {
    const want = expected.get(room.id);
    const got = { lastSeq: room.lastSeq, unreadCount: room.unreadCount, mentionCount: room.mentionCount };
    if (!want || Object.entries(want).some(([key, value]) => got[key as keyof Expected] !== value)) {
      throw new Error(`room ${room.id}: ${JSON.stringify(got)}, the scan found ${JSON.stringify(want)}`);
    }
  }
}
