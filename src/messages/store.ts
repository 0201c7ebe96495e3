// Storing new messages: a batch of sends in one statement, so one round trip and one commit.
import { attachmentsOf } from "../attachments/uploads";
import { botDeliveriesOf } from "../bots/outbox-rows";
import type { Sql } from "../db/sql";
import { type MessageRow, readMessages, replyPreview, toMessage } from "./log";
import { mentionsIn } from "./mentions";
import type { Message } from "./schemas";

export interface NewMessage {
  roomId: string;
  senderId: string;
  /** The sender's, as the session knows it: usernames never change, so no lookup is needed. */
  username: string;
  content: string;
  clientId: string | null;
  replyToId: string | null;
  /** The sender's own uploads to this room that no message has yet; checked and claimed in the same statement. */
  attachmentIds?: string[];
}

/** What became of one message of a batch. */
export type Stored =
  | { outcome: "stored"; message: Message }
  /** Its clientId was used before: the message stored then, and whether the sender is still a member of this room. */
  | { outcome: "earlier"; message: Message; member: boolean }
  /** The sender is not a member of the room, or there is no such room. */
  | { outcome: "refused" }
  /** It answers a message that is not in its room. */
  | { outcome: "no_reply_target" }
  /** The room is archived: read-only. */
  | { outcome: "archived" }
  /** An attachment is not the sender's upload to this room, or another message has it already. */
  | { outcome: "attachments_refused" };

/** What the statement reads back of each message it stores or finds (not its search vector, say), of rows `m` if `of` says so. */
const COLUMNS = ["id", "room_id", "seq", "rev", "sender_id", "client_id", "content", "reply_to_id", "created_at", "edited_at", "deleted_at", "previews"];
const columns = (sql: Sql, of = "") => sql(COLUMNS.map((column) => of + column)); // identifiers, escaped by the driver ("m"."id")

/**
 * Stores a batch of messages in one statement: messages whose clientId is new, whose sender is
 * a member, whose room is not archived and whose reply target is in the same room are numbered and inserted, with their
 * mentions and the bot deliveries they make (in the same transaction: none is lost or extra). Each room's counters (`last_seq` and `last_rev`: a new message is a change too) are
 * read and bumped once for all its messages under its row lock, taken in id order so that two
 * batches over the same rooms cannot deadlock; a room's messages therefore commit in seq and rev
 * order, and a failed statement takes every number back. Within a room, the batch's order is
 * the seq order. Results are in the batch's order.
 *
 * Attachments are claimed in the same statement: each message's uploads are locked (a send in
 * another statement that wants one too waits, then finds it taken), must all be the sender's
 * to this room and unclaimed, and are then given the message's id, which is made up front so
 * that no join back from the inserted rows is needed.
 *
 * Each room's messages travel as arrays, every lookup goes through an index, and the batch's
 * own rows meet only in hash joins, never in a subquery run once per row: the statement's cost
 * grows with the batch, not with its square.
 */
export async function storeMessages(sql: Sql, batch: NewMessage[]): Promise<Stored[]> {
  const input = batch.map((m, ord) => ({
    ord,
    room_id: m.roomId,
    sender_id: m.senderId,
    client_id: m.clientId,
    content: m.content,
    reply_to_id: m.replyToId,
    attachment_ids: m.attachmentIds ?? [],
  }));
  type Row = Partial<Omit<MessageRow, "username">> & { ord: number | null; member: boolean; reply_found: boolean; attachments_found: boolean };
  const rows = await sql<Row[]>`
    with input as (
      select i.*, gen_random_uuid() as id
      from jsonb_to_recordset(${sql.json(input)}) as i(ord int, room_id uuid, sender_id uuid, client_id text, content text, reply_to_id uuid, attachment_ids uuid[])
    ), claimable as (
      select a.id, i.ord from input i join attachments a
        on a.id = any(i.attachment_ids) and a.uploader_id = i.sender_id and a.room_id = i.room_id and a.message_id is null
      for update of a
    ), checked as (
      select i.*,
             coalesce((select true from memberships ms where ms.room_id = i.room_id and ms.user_id = i.sender_id), false) as member,
             (select m.id from messages m where m.sender_id = i.sender_id and m.client_id = i.client_id) as earlier_id,
             i.reply_to_id is null or exists (select 1 from messages p where p.id = i.reply_to_id and p.room_id = i.room_id) as reply_found,
             -- Every one of its uploads, none of them wanted by an earlier send of the batch.
             cardinality(i.attachment_ids) = (
               select count(*) from claimable c
               where c.ord = i.ord and not exists (select 1 from claimable e where e.id = c.id and e.ord < c.ord)
             ) as attachments_found
      from input i
    ), accepted as (
      select * from checked where member and earlier_id is null and reply_found and attachments_found
    ), grouped as (
      select room_id, array_agg(id order by ord) as ids, array_agg(sender_id order by ord) as senders, array_agg(client_id order by ord) as client_ids,
             array_agg(content order by ord) as contents, array_agg(reply_to_id order by ord) as reply_to_ids
      from accepted
      group by room_id
    ), locked as (
      -- An archive that commits while this waits for the lock is seen here: the row is read again once locked.
      select g.*, r.last_seq, r.last_rev from grouped g join rooms r on r.id = g.room_id where r.archived_at is null order by r.id for update of r
    ), bumped as (
      update rooms r set last_seq = l.last_seq + cardinality(l.senders), last_rev = l.last_rev + cardinality(l.senders)
      from locked l where r.id = l.room_id
    ), changed as (
      insert into messages (id, room_id, seq, rev, sender_id, client_id, content, reply_to_id)
      select o.id, l.room_id, l.last_seq + o.n, l.last_rev + o.n, o.sender_id, o.client_id, o.content, o.reply_to_id
      from locked l, unnest(l.ids, l.senders, l.client_ids, l.contents, l.reply_to_ids) with ordinality as o(id, sender_id, client_id, content, reply_to_id, n)
      returning ${columns(sql)}
    ), claimed as (
      -- Only by messages stored: one refused under the lock (an archived room) leaves its uploads free.
      update attachments a set message_id = c.id, position = array_position(c.attachment_ids, a.id)
      from accepted c join changed m on m.id = c.id where a.id = any(c.attachment_ids)
    ), read_own as (
      -- Writing in a room is reading it: the sender's marker moves up to their message, so own
      -- messages are never unread and the count of them after the marker stays near zero.
      update memberships ms set last_read_seq = greatest(ms.last_read_seq, o.seq)
      from (select room_id, sender_id, max(seq) as seq from changed group by room_id, sender_id) o
      where ms.room_id = o.room_id and ms.user_id = o.sender_id
    ), wanted as (${mentionsIn(sql)}
    ), mentioned as (
      insert into mentions (room_id, seq, user_id) select * from wanted returning room_id, seq, user_id
    ), bot_outbox as (${botDeliveriesOf(sql)}
    ), mentions_of as (
      select room_id, seq, json_agg(user_id order by user_id) as user_ids from mentioned group by room_id, seq
    )
    -- Joined, not looked up per row: a subquery over another CTE would scan it once per message.
    select null::int as ord, true as member, true as reply_found, true as attachments_found, ${columns(sql, "m.")}, ${replyPreview(sql)} as reply_to,
           coalesce(mo.user_ids, '[]') as mentions, ${attachmentsOf(sql, sql`c.attachment_ids`)} as attachments
    from changed m join accepted c on c.id = m.id left join mentions_of mo on mo.room_id = m.room_id and mo.seq = m.seq
    union all
    select c.ord, c.member, c.reply_found, c.attachments_found, ${columns(sql, "m.")}, null, null, null
    from checked c left join messages m on m.id = c.earlier_id`;

  // Each room's new rows, in seq order, go to its accepted sends, in the batch's order.
  const inserted = new Map<string, Row[]>();
  for (const row of rows.filter((row) => row.ord === null).sort((a, b) => Number(a.seq) - Number(b.seq))) {
    const room = inserted.get(row.room_id!);
    if (room) room.push(row);
    else inserted.set(row.room_id!, [row]);
  }
  const checked = rows.filter((row) => row.ord !== null).sort((a, b) => a.ord! - b.ord!);
  // A retried send answers with its message as it is now: edited, reacted to, or deleted since.
  const earlier = await readMessages(
    sql,
    checked.flatMap((row) => (row.id ? [row.id] : [])),
  );
  return checked.map((row): Stored => {
    const sent = batch[row.ord!]!;
    if (row.id) return { outcome: "earlier", message: earlier.get(row.id)!, member: row.member };
    if (!row.member) return { outcome: "refused" };
    if (!row.reply_found) return { outcome: "no_reply_target" };
    if (!row.attachments_found) return { outcome: "attachments_refused" };
    const stored = inserted.get(sent.roomId)?.shift();
    if (!stored) return { outcome: "archived" };
    return { outcome: "stored", message: toMessage({ ...stored, username: sent.username, reactions: [] } as MessageRow) };
  });
}
