// Changing a message: edit, delete, react, unreact. Who may do it is checked first, without
// locks. Then a transaction takes the room's row lock (as a send does, so the two cannot
// deadlock) and, in its next statement, which sees everything committed before the lock was
// granted, writes the change and the room's next rev; it reads the message after it and
// commits. Messages in the room wait on that lock, so it is held for those three round trips
// only. The write checks again that the change still applies (the message may have been
// deleted meanwhile); if it does not, the transaction is undone, so no rev is lost, and the
// change is decided again from the start.
// Only a real change takes a rev and is broadcast, after its commit: doing the same twice is no
// error and changes nothing.
import type { Broadcasts } from "../broadcasts";
import type { Queries, Sql } from "../db/sql";
import { badRequest, conflict, forbidden, notFound } from "../errors";
import { roomArchived } from "../rooms/rooms";
import { readMessages } from "./log";
import { mentionsIn } from "./mentions";
import type { LinkPreview, Message } from "./schemas";
import { checkContent } from "./send";

export interface ChangeDeps {
  sql: Sql;
  broadcasts: Broadcasts;
  maxMessageLength: number;
}

/** The message to change and its room, as the caller may see them. */
interface Target {
  id: string;
  roomId: string;
  seq: string;
  senderId: string;
  content: string;
  deleted: boolean;
  ownerId: string | null;
  isMember: boolean;
  /** The one changing it is a site admin. */
  byAdmin: boolean;
  /** Its room is archived: read-only. */
  archived: boolean;
}

/**
 * What became of a write: it changed the message; it found nothing to change; or the message
 * moved under it (deleted meanwhile, say), and the change is decided again.
 */
type Written = "changed" | "unchanged" | "moved";
/** What a verb does with a target: nothing (it is already so), or a write. */
type Decide = (target: Target) => "unchanged" | ((tx: Queries) => Promise<Written>);

const messageNotFound = () => notFound("message_not_found", "no such message");
const isDeleted = () => conflict("deleted", "the message was deleted");
/** A change that found its message moved under it is decided again, at most this many times in all. */
const ATTEMPTS = 3;
const MOVED = Symbol("the message moved under the change");

async function change(deps: ChangeDeps, userId: string, messageId: string, decide: Decide): Promise<Message> {
  for (let attempt = 1; ; attempt++) {
    const target = await findTarget(deps.sql, userId, messageId);
    if (target.archived) throw roomArchived();
    const write = decide(target);
    if (write === "unchanged") return (await readMessages(deps.sql, [messageId])).get(messageId)!;
    const done = await deps.sql
      .begin(async (tx) => {
        // Its own statement: one that waited for the lock would still see the rows as they were when it began.
        const [room] = await tx<{ archived: boolean }[]>`select archived_at is not null as archived from rooms where id = ${target.roomId} for update`;
        if (room!.archived) throw roomArchived(); // archived since it was found
        const written = await write(tx);
        if (written === "moved") throw MOVED; // undoes the rev the statement took
        return { written, message: (await readMessages(tx, [messageId])).get(messageId)! };
      })
      .catch((error) => (error === MOVED && attempt < ATTEMPTS ? undefined : Promise.reject(error)));
    if (done?.written === "changed") deps.broadcasts.messageChanged(done.message);
    if (done) return done.message;
  }
}

/** The message, in a room the user may see (anything else is not found). */
async function findTarget(sql: Sql, userId: string, messageId: string): Promise<Target> {
  const [row] = await sql<
    {
      room_id: string;
      seq: string;
      sender_id: string;
      content: string;
      deleted: boolean;
      is_private: boolean;
      owner_id: string | null;
      is_member: boolean;
      by_admin: boolean;
      archived: boolean;
    }[]
  >`
    select m.room_id, m.seq, m.sender_id, m.content, m.deleted_at is not null as deleted, r.is_private, r.owner_id, r.archived_at is not null as archived,
           exists (select 1 from memberships ms where ms.room_id = r.id and ms.user_id = ${userId}) as is_member,
           exists (select 1 from users u where u.id = ${userId} and u.is_admin) as by_admin
    from messages m join rooms r on r.id = m.room_id where m.id = ${messageId}`;
  if (!row || (row.is_private && !row.is_member)) throw messageNotFound();
  return {
    id: messageId,
    roomId: row.room_id,
    seq: row.seq,
    senderId: row.sender_id,
    content: row.content,
    deleted: row.deleted,
    ownerId: row.owner_id,
    isMember: row.is_member,
    byAdmin: row.by_admin,
    archived: row.archived,
  };
}

/** Ends a statement whose CTE `changed` holds the message if it was changed: "moved" if the target expected a change. */
const countChanged = (sql: Queries) => sql`select count(*)::int as changed from changed`;
const changedOrMoved = ([row]: { changed: number }[]): Written => (row!.changed > 0 ? "changed" : "moved");

export function editMessage(deps: ChangeDeps, userId: string, messageId: string, content: string): Promise<Message> {
  checkContent(content, deps.maxMessageLength);
  return change(deps, userId, messageId, (target) => {
    if (target.senderId !== userId) throw forbidden("forbidden", "only the sender may edit a message");
    if (target.deleted) throw isDeleted();
    if (target.content === content) return "unchanged";
    // The mentions the new text names are kept, the others dropped: two sets that never meet,
    // so one statement can write both.
    return async (tx) =>
      changedOrMoved(
        await tx`
        with bumped as (update rooms set last_rev = last_rev + 1 where id = ${target.roomId} returning last_rev),
        changed as (
          update messages m set content = ${content}, edited_at = now(), rev = b.last_rev from bumped b
          where m.id = ${target.id} and m.deleted_at is null and m.content <> ${content}
          returning m.room_id, m.seq, m.content
        ),
        wanted as (${mentionsIn(tx)}),
        dropped as (
          delete from mentions where room_id = ${target.roomId} and seq = ${target.seq}
            and exists (select 1 from changed) and user_id not in (select user_id from wanted)
        ),
        added as (insert into mentions (room_id, seq, user_id) select * from wanted on conflict do nothing)
        ${countChanged(tx)}`,
      );
  });
}

/**
 * The sender, the room's owner or a site admin (in any room they can see: a private room stays
 * the lock, even to admins): the message keeps its id, seq and sender, and loses its text,
 * reactions and mentions.
 */
export function deleteMessage(deps: ChangeDeps, userId: string, messageId: string): Promise<Message> {
  return change(deps, userId, messageId, (target) => {
    if (target.senderId !== userId && target.ownerId !== userId && !target.byAdmin) {
      throw forbidden("forbidden", "only the sender, the room's owner or a site admin may delete a message");
    }
    if (target.deleted) return "unchanged";
    return async (tx) =>
      changedOrMoved(
        await tx`
        with bumped as (update rooms set last_rev = last_rev + 1 where id = ${target.roomId} returning last_rev),
        changed as (
          update messages m set content = '', deleted_at = now(), rev = b.last_rev from bumped b
          where m.id = ${target.id} and m.deleted_at is null
          returning m.id
        ),
        unreacted as (delete from reactions where message_id = ${target.id} and exists (select 1 from changed)),
        unmentioned as (delete from mentions where room_id = ${target.roomId} and seq = ${target.seq} and exists (select 1 from changed))
        ${countChanged(tx)}`,
      );
  });
}

export function react(deps: ChangeDeps, userId: string, messageId: string, emoji: string): Promise<Message> {
  requireEmoji(emoji);
  return change(deps, userId, messageId, (target) => {
    if (!target.isMember) throw forbidden("not_a_member", "join the room first");
    if (target.deleted) throw isDeleted();
    // A reaction already there changes nothing and takes no rev; a message deleted meanwhile
    // moved: the reaction goes with the undone transaction.
    return async (tx) => {
      const [row] = await tx<{ added: number; changed: number }[]>`
        with added as (
          insert into reactions (message_id, user_id, emoji) values (${target.id}, ${userId}, ${emoji})
          on conflict do nothing returning message_id
        ),
        bumped as (update rooms set last_rev = last_rev + 1 where id = ${target.roomId} and exists (select 1 from added) returning last_rev),
        changed as (update messages m set rev = b.last_rev from bumped b where m.id = ${target.id} and m.deleted_at is null returning m.id)
        select (select count(*)::int from added) as added, (select count(*)::int from changed) as changed`;
      return row!.added === 0 ? "unchanged" : row!.changed > 0 ? "changed" : "moved";
    };
  });
}

export function unreact(deps: ChangeDeps, userId: string, messageId: string, emoji: string): Promise<Message> {
  requireEmoji(emoji);
  // A reaction that is not there (never made, or gone with its message) changes nothing.
  return change(deps, userId, messageId, (target) => async (tx) => {
    const [row] = await tx<{ changed: number }[]>`
      with removed as (delete from reactions where message_id = ${target.id} and user_id = ${userId} and emoji = ${emoji} returning message_id),
      bumped as (update rooms set last_rev = last_rev + 1 where id = ${target.roomId} and exists (select 1 from removed) returning last_rev),
      changed as (update messages m set rev = b.last_rev from bumped b where m.id = ${target.id} returning m.id)
      ${countChanged(tx)}`;
    return row!.changed > 0 ? "changed" : "unchanged";
  });
}

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });
/** Pictographs (skin tones and ZWJ sequences stay one grapheme), flags, keycaps. */
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;

/** One grapheme that is an emoji; anything else is refused. */
function requireEmoji(emoji: string): void {
  const [first, second] = graphemes.segment(emoji);
  if (!first || second || !emoji.isWellFormed() || !EMOJI.test(emoji) || /[\p{L}\s]/u.test(emoji)) {
    throw badRequest("invalid_emoji", "emoji must be one emoji");
  }
}

/**
 * Adds the link previews found for a message after it was stored: a change like any other, so it
 * takes the room's next rev, under the room's lock, and is broadcast once committed. A message
 * deleted meanwhile keeps no previews, and takes no rev.
 */
export async function attachPreviews(
  deps: { sql: Sql; broadcasts: Pick<Broadcasts, "messageChanged"> },
  roomId: string,
  messageId: string,
  previews: LinkPreview[],
): Promise<void> {
  const message = await deps.sql.begin(async (tx) => {
    await tx`select 1 from rooms where id = ${roomId} for update`;
    const [row] = await tx<{ changed: number }[]>`
      with target as (select id from messages where id = ${messageId} and room_id = ${roomId} and deleted_at is null),
      bumped as (update rooms set last_rev = last_rev + 1 where id = ${roomId} and exists (select 1 from target) returning last_rev),
      changed as (update messages m set previews = ${tx.json(previews)}, rev = b.last_rev from bumped b where m.id = ${messageId} returning m.id)
      ${countChanged(tx)}`;
    return row!.changed > 0 ? (await readMessages(tx, [messageId])).get(messageId) : undefined;
  });
  if (message) deps.broadcasts.messageChanged(message);
}
