// Where bot deliveries are made: inside the statement that stores new messages
// (src/messages/store.ts), so that they commit with the message or not at all.
import type { Queries } from "../db/sql";

/**
 * Inserts a delivery for each bot that a message in `changed` mentions (`mentioned`: the
 * mentions just stored) or that is the other person of its direct room. A bot's own messages
 * and other bots' make none, so that two bots cannot answer each other forever. On a server
 * without bots (the common case) the first condition is decided once for the whole statement,
 * and nothing else is looked at.
 */
export const botDeliveriesOf = (sql: Queries) => sql`
  insert into bot_deliveries (bot_id, message_id)
  select b.user_id, m.id
  from changed m
  cross join lateral (
    select mt.user_id from mentioned mt where mt.room_id = m.room_id and mt.seq = m.seq
    union
    select case when d.user_low = m.sender_id then d.user_high else d.user_low end from direct_rooms d where d.room_id = m.room_id
  ) as heard(user_id)
  join bots b on b.user_id = heard.user_id and b.webhook_url is not null
  where exists (select 1 from bots where webhook_url is not null)
    and not exists (select 1 from bots s where s.user_id = m.sender_id)
  on conflict do nothing`;
