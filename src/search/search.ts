// Finding messages: full-text search (words, phrases, a prefix on the last word) beside
// trigrams (parts of words, addresses, URLs), over the rooms the searcher may read, newest
// first. Both look at the current content: an edit is found by its new text, and a deleted
// message (content "") by nothing; it is also left out by name.
import type { Queries, Sql } from "../db/sql";
import { MESSAGE, type MessageRow, toMessage } from "../messages/log";
import type { Message } from "../messages/schemas";
import { findVisibleRoom } from "../rooms/rooms";
import { containing, readSearch } from "./query";

/**
 * ts_headline marks matches with these; it does not escape the text around them. They are
 * taken out of the text first, so that any left in the headline are ours (views/highlight.ts).
 */
export const MATCH_START = "\u0001";
export const MATCH_END = "\u0002";
/**
 * ts_headline also drops whatever the parser takes for an HTML tag (`<b>`), so "<" goes in as
 * this, which no tag starts with, and comes back out in views/highlight.ts.
 */
export const LESS_THAN = "\u0003";
/** A message up to this long is shown whole, exactly as written; a longer one by the parts around its matches. */
const WHOLE_UP_TO = 1000;
const MARKS = `StartSel=${MATCH_START}, StopSel=${MATCH_END}`;
const WHOLE = `${MARKS}, HighlightAll=true`;
// Fragments start and end at words: punctuation at their edges may be left out.
const FRAGMENTS = `${MARKS}, MaxWords=35, MinWords=15, ShortWord=0, MaxFragments=2, FragmentDelimiter=" … "`;

export interface Search {
  q: string;
  roomId?: string;
  limit: number;
  /** The id of the last message of the previous page: only older ones. */
  before?: string;
}

export interface FoundMessage extends Message {
  /** The text, or the part of it around the matches, with them between MATCH_START and MATCH_END. */
  headline: string;
  /** What else to mark in the headline: the terms found as parts of words, which ts_headline does not mark. */
  terms: string[];
}

/** The full-text query: websearch syntax, its last word a prefix unless the search ends in a phrase or an exclusion. */
function textQuery(sql: Queries, q: string, prefix: boolean) {
  const query = sql`websearch_to_tsquery('simple', ${q})`;
  return prefix ? sql`regexp_replace(${query}::text, '''$', ''':*')::tsquery` : query;
}

/** The messages that match, newest first, from the rooms the user may read (public ones, and private ones they are in). */
export async function searchMessages(sql: Sql, userId: string, search: Search): Promise<FoundMessage[]> {
  if (search.roomId) await findVisibleRoom(sql, userId, search.roomId); // a private room not one's own is not found
  const { terms, prefix, parts } = readSearch(search.q);
  const query = textQuery(sql, search.q, prefix);
  const everyPart = terms.reduce((all, term) => sql`${all} and m.content ilike ${containing(term)}`, sql`true`);
  const inParts = parts ? sql`or (${everyPart})` : sql``;
  const readable = sql`(not r.is_private or exists (select 1 from memberships ms where ms.room_id = r.id and ms.user_id = ${userId}))`;
  // The cursor is a message the searcher may read; any other id gives an empty page, as past the end.
  const before = search.before
    ? sql`and (m.created_at, m.room_id, m.seq) < (
        select c.created_at, c.room_id, c.seq from messages c join rooms r on r.id = c.room_id where c.id = ${search.before} and ${readable})`
    : sql``;
  const rows = await sql<(MessageRow & { headline: string })[]>`
    with found as (
      select m.id, m.created_at, m.room_id, m.seq
      from messages m join rooms r on r.id = m.room_id
      where m.deleted_at is null
        and (m.search_vector @@ ${query} ${inParts})
        and ${readable}
        ${search.roomId ? sql`and m.room_id = ${search.roomId}` : sql``}
        ${before}
      order by m.created_at desc, m.room_id desc, m.seq desc
      limit ${search.limit}
    )
    select message.*, ts_headline('simple', translate(translate(message.content, ${MATCH_START + MATCH_END + LESS_THAN}, ''), '<', ${LESS_THAN}), ${query},
                                  case when length(message.content) <= ${WHOLE_UP_TO} then ${WHOLE} else ${FRAGMENTS} end) as headline
    from (${MESSAGE(sql)} where m.id in (select id from found)) message
    order by message.created_at desc, message.room_id desc, message.seq desc`;
  return rows.map((row) => ({ ...toMessage(row), headline: row.headline, terms: parts ? terms : [] }));
}
