// Mentions: "@username" in a message's content, for a member of its room, regardless of case.
// Found by PostgreSQL in the statement that writes the content, so that a send and an edit
// store them the same way, and unread mention counts are an index range.
import type { Queries } from "../db/sql";

/**
 * "@" not inside a word (so not an e-mail address), then a username: it starts with a letter,
 * digit or "_", and ends with one, so that the sentence's own "." or "-" after it is not taken.
 */
const MENTION = "(?:^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,30}[A-Za-z0-9_])?)";

/** The mentions (room_id, seq, user_id) in the rows `changed`: messages being written, with their room, seq and content. */
export const mentionsIn = (sql: Queries) => sql`
  select distinct m.room_id, m.seq, u.id as user_id
  from (select * from changed where strpos(content, '@') > 0) m -- most messages mention no one: no regex for them
  cross join lateral regexp_matches(m.content, ${MENTION}, 'g') as found(parts)
  join users u on lower(u.username) = lower(found.parts[1])
  join memberships ms on ms.room_id = m.room_id and ms.user_id = u.id`;
