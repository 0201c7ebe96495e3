// Find and keep at scale. `search`: a million messages of everyday words (a few common, most
// rare), some with e-mail addresses, URLs and hyphenated terms, in 50 rooms of which the
// searcher may read 25 (24 public ones and their own private one); GET /search timed one
// request at a time for each kind of query. `export`: a room of a million messages downloaded
// whole through GET /rooms/:roomId/export, beside a room of a thousand, with the server's
// resident memory sampled while each streams. Messages are written straight into the tables
// before ChatLoop starts. ChatLoop only: the references store nothing.
import type { Sql } from "../src/db/sql";
import { targets } from "./client/targets";
import { LatencyHistogram, now } from "./load/latency";
import { residentKiB } from "./proc";
import { PASSWORD, startServer } from "./servers";

const ROOMS = 50;
const READS = 100;
const WARM_UP_READS = 10;
const ROWS_PER_INSERT = 100_000;

// Everyday words, most common first: a message picks each of its words with a bias to the front
// (random()^3), so the first few are in a good share of all messages and the last in very few.
const WORDS = (
  "the to and a of we it is for on that this in you be with have can meeting I will deploy team update " +
  "review release tomorrow notes build today please check server issue thanks fix version customer design " +
  "report plan budget client data test change branch merge ticket schedule lunch office call project " +
  "deployment database migration rollback incident postmortem latency throughput dashboard metrics alert " +
  "invoice contract quarterly roadmap milestone sprint retrospective onboarding handbook kubernetes terraform " +
  "ansible grafana prometheus elasticsearch cassandra zookeeper kafka rabbitmq nginx haproxy varnish memcached " +
  "aardvark bassoon cinnabar dulcimer escarpment fjord gossamer hinterland isthmus juniper kumquat labyrinth " +
  "marzipan nebula obsidian palimpsest quixotic rhubarb sarsaparilla tamarind umbrella vermilion wanderlust " +
  "xylophone yesteryear zeppelin"
).split(" ");
const HYPHENATED = ["state-of-the-art", "follow-up", "end-to-end", "long-term", "re-deploy", "well-known", "sign-off", "e-mail"];

/** Each kind of query, with a search that the data above answers. */
const QUERIES: [kind: string, q: string][] = [
  ["common word", "meeting"],
  ["two common words", "deploy team"],
  ["rare word", "zeppelin"],
  ["rare and common", "quixotic update"],
  ["phrase", '"the to"'],
  ["prefix", "retrosp"],
  ["part of a word", "ploymen"],
  ["e-mail address", "user42@example2.com"],
  ["part of an address", "example3.com"],
  ["URL", "https://docs.example8.org/guide/page-8"],
  ["part of a URL", "example8.org/guide"],
  ["hyphenated", "state-of-the-art"],
  ["part of a hyphenated term", "end-to-e"],
  ["no match", "nonexistentword"],
];

export async function runSearch(messages = 1_000_000) {
  let buildSeconds = 0;
  const server = await startServer("chatloop", { rooms: ROOMS, membersPerRoom: 1 }, async (sql, rooms) => {
    const built = now();
    await fillRooms(sql, rooms, messages);
    buildSeconds = Math.round((now() - built) / 100) / 10;
  });
  try {
    const base = server.bases[0]!;
    const { token } = await targets.chatloop.login(base, { username: server.usernames[0]!, password: PASSWORD });
    const all = new LatencyHistogram();
    const kinds: Record<string, { p50ms?: number; p99ms?: number; results: number }> = {};
    for (const [kind, q] of QUERIES) {
      const latency = new LatencyHistogram();
      let results = 0;
      for (let i = 0; i < WARM_UP_READS + READS; i++) {
        const started = now();
        const response = await fetch(`${base}/search?${new URLSearchParams({ q, limit: "20" })}`, { headers: { authorization: `Bearer ${token}` } });
        const found = (await response.json()) as unknown[];
        if (response.status !== 200) throw new Error(`search ${q}: ${response.status} ${JSON.stringify(found)}`);
        if (i >= WARM_UP_READS) {
          latency.record(now() - started);
          all.record(now() - started);
        }
        results = found.length;
      }
      kinds[kind] = { p50ms: latency.quantile(0.5), p99ms: latency.quantile(0.99), results };
    }
    return { scenario: "search", target: "chatloop", messages, buildSeconds, readsPerQuery: READS, p50ms: all.quantile(0.5), p99ms: all.quantile(0.99), kinds };
  } finally {
    await server.stop();
  }
}

export async function runExport(messages = 1_000_000) {
  const SMALL = 1_000;
  let buildSeconds = 0;
  const server = await startServer("chatloop", { rooms: 2, membersPerRoom: 1 }, async (sql, [big, small]) => {
    const built = now();
    await sql`insert into memberships (room_id, user_id) select id, owner_id from rooms`; // export is for members
    await withoutSearchIndexes(sql, async () => {
      await fillRoom(sql, big!, messages);
      await fillRoom(sql, small!, SMALL);
    });
    await sql`vacuum analyze`; // as autovacuum leaves a table after a burst of inserts: without statistics the planner sorts the whole room
    buildSeconds = Math.round((now() - built) / 100) / 10;
  });
  try {
    const [big, small] = server.rooms as [string, string];
    const base = server.bases[0]!;
    const pid = server.pids[0]!;
    const download = async (roomId: string, username: string) => {
      const { token } = await targets.chatloop.login(base, { username, password: PASSWORD });
      const before = residentKiB(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, residentKiB(pid))), 20);
      const started = now();
      const response = await fetch(`${base}/rooms/${roomId}/export?format=jsonl`, { headers: { authorization: `Bearer ${token}` } });
      let bytes = 0;
      let lines = 0;
      for await (const chunk of response.body!) {
        bytes += chunk.length;
        for (const byte of chunk) if (byte === 10) lines++;
      }
      const seconds = (now() - started) / 1000;
      clearInterval(sampler);
      if (response.status !== 200) throw new Error(`export: ${response.status}`);
      return {
        lines,
        megabytes: Math.round(bytes / 1e5) / 10,
        seconds: Math.round(seconds * 10) / 10,
        rssBeforeMiB: Math.round(before / 1024),
        rssPeakMiB: Math.round(peak / 1024),
      };
    };
    // The small room first, then the big one, then the small one again: what the big one leaves behind shows too.
    const smallFirst = await download(small, server.usernames[1]!);
    const large = await download(big, server.usernames[0]!);
    const smallAfter = await download(small, server.usernames[1]!);
    if (large.lines !== messages || smallFirst.lines !== SMALL) throw new Error(`exported ${large.lines} and ${smallFirst.lines} lines`);
    return { scenario: "export", target: "chatloop", messages, buildSeconds, small: smallFirst, large, smallAfter };
  } finally {
    await server.stop();
  }
}

/**
 * Rooms 1 to 24 stay public, the rest are made private; the searcher (user 0) is the only member
 * of room 0. Messages go round the rooms, about a minute apart, the last one now.
 */
export async function fillRooms(sql: Sql, rooms: string[], messages: number): Promise<void> {
  await sql`update rooms set is_private = true where id = any(string_to_array(${rooms.slice(25).join(",")}, ',')::uuid[]) or id = ${rooms[0]!}`;
  await sql`insert into memberships (room_id, user_id) select id, owner_id from rooms`;
  const owners = (await sql<{ owner_id: string }[]>`select owner_id from rooms order by created_order`).map((row) => row.owner_id);
  await withoutSearchIndexes(sql, async () => {
    for (let from = 1; from <= messages; from += ROWS_PER_INSERT) {
      const to = Math.min(messages, from + ROWS_PER_INSERT - 1);
      await sql`
        insert into messages (room_id, seq, rev, sender_id, content, created_at, deleted_at)
        select (string_to_array(${rooms.join(",")}, ',')::uuid[])[1 + g % ${ROOMS}], 1 + g / ${ROOMS}, 1 + g / ${ROOMS},
               (string_to_array(${owners.join(",")}, ',')::uuid[])[1 + g % ${ROOMS}],
               case when g % 100 = 7 then '' else
                 array_to_string(array(select w[1 + floor(random() ^ 3 * cardinality(w))::int] from generate_series(1, 6 + g % 9)), ' ')
                 || case when g % 50 = 1 then ' mail user' || g / 50 % 500 || '@example' || g / 50 % 20 || '.com' else '' end
                 || case when g % 70 = 3 then ' see https://docs.example' || g / 70 % 30 || '.org/guide/page-' || g / 70 % 1000 else '' end
                 || case when g % 40 = 2 then ' ' || h[1 + g / 40 % cardinality(h)] else '' end
               end,
               now() - (${messages}::int - g) * interval '1 minute',
               case when g % 100 = 7 then now() end
        from generate_series(${from - 1}::int, ${to - 1}::int) g,
             (select string_to_array(${WORDS.join(" ")}, ' ') as w, string_to_array(${HYPHENATED.join(" ")}, ' ') as h) vocabulary`;
    }
  });
  await sql`update rooms r set last_seq = m.seq, last_rev = m.seq from (select room_id, max(seq) as seq from messages group by room_id) m where m.room_id = r.id`;
  await sql`vacuum analyze`;
}

/** `messages` history lines by the room's owner. */
async function fillRoom(sql: Sql, roomId: string, messages: number): Promise<void> {
  const [room] = await sql<{ owner_id: string }[]>`select owner_id from rooms where id = ${roomId}`;
  for (let from = 1; from <= messages; from += ROWS_PER_INSERT) {
    const to = Math.min(messages, from + ROWS_PER_INSERT - 1);
    await sql`insert into messages (room_id, seq, rev, sender_id, content)
              select ${roomId}, g, g, ${room!.owner_id}, 'history message number ' || g || ', with some words to make it a line of ordinary length' from generate_series(${from}::int, ${to}::int) g`;
  }
  await sql`update rooms set last_seq = ${messages}, last_rev = ${messages} where id = ${roomId}`;
}

/** Bulk writes go quicker into a table without its search indexes, built again afterwards in one pass each (as a restore does). */
async function withoutSearchIndexes(sql: Sql, write: () => Promise<void>): Promise<void> {
  const indexes = await sql<{ indexname: string; indexdef: string }[]>`
    select indexname, indexdef from pg_indexes where tablename = 'messages' and indexname in ('messages_search_idx', 'messages_content_trgm_idx', 'messages_created_at_idx')`;
  for (const index of indexes) await sql.unsafe(`drop index ${index.indexname}`); // names from the catalog, not input
  await write();
  await sql`set maintenance_work_mem = '256MB'`;
  for (const index of indexes) await sql.unsafe(index.indexdef);
}
