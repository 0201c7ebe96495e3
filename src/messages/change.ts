// Changing a message: edit, delete, react, unreact. Each runs in one transaction that locks the
// room's row first (as a send does, so the two cannot deadlock), checks who may do it, writes
// the change with the room's next rev in the same statement, and answers with the message after
// it. Only a real change takes a rev and is broadcast, after its commit: doing the same twice is
// no error and changes nothing.
import type { Broadcasts } from "../broadcasts";
import type { Queries, Sql } from "../db/sql";
import { badRequest, conflict, forbidden, notFound } from "../errors";
import { findVisibleRoom, type VisibleRoom } from "../rooms/rooms";
import { readMessages } from "./log";
import { insertMentions } from "./mentions";
import type { Message } from "./schemas";
import { checkContent } from "./send";

export interface ChangeDeps {
  sql: Sql;
  broadcasts: Broadcasts;
  maxMessageLength: number;
}

/** The message being changed, as it is under the room's lock. */
interface Target {
  id: string;
  roomId: string;
  seq: string;
  senderId: string;
  content: string;
  deleted: boolean;
  room: VisibleRoom;
}

type Apply = (tx: Queries, target: Target) => Promise<boolean>;

const messageNotFound = () => notFound("message_not_found", "no such message");
const isDeleted = () => conflict("deleted", "the message was deleted");

async function change(deps: ChangeDeps, userId: string, messageId: string, apply: Apply): Promise<Message> {
  const { changed, message } = await deps.sql.begin(async (tx) => {
    const target = await lockTarget(tx, userId, messageId);
    const changed = await apply(tx, target);
    const message = (await readMessages(tx, [messageId])).get(messageId)!;
    return { changed, message };
  });
  if (changed) deps.broadcasts.messageChanged(message);
  return message;
}

/** Finds the message in a room the user may see (anything else is not found), and locks its room. */
async function lockTarget(tx: Queries, userId: string, messageId: string): Promise<Target> {
  const [found] = await tx<{ room_id: string }[]>`select room_id from messages where id = ${messageId}`;
  if (!found) throw messageNotFound();
  const room = await findVisibleRoom(tx, userId, found.room_id).catch(() => Promise.reject(messageNotFound()));
  await tx`select 1 from rooms where id = ${room.id} for update`;
  const [row] = await tx<{ seq: string; sender_id: string; content: string; deleted: boolean }[]>`
    select seq, sender_id, content, deleted_at is not null as deleted from messages where id = ${messageId}`;
  return { id: messageId, roomId: room.id, seq: row!.seq, senderId: row!.sender_id, content: row!.content, deleted: row!.deleted, room };
}

/** Writes a change to the message with the room's next rev, in one statement. */
async function writeChange(tx: Queries, target: Target, set: ReturnType<Queries>): Promise<void> {
  await tx`
    with bumped as (update rooms set last_rev = last_rev + 1 where id = ${target.roomId} returning last_rev)
    update messages m set ${set} rev = b.last_rev from bumped b where m.id = ${target.id}`;
}

export function editMessage(deps: ChangeDeps, userId: string, messageId: string, content: string): Promise<Message> {
  checkContent(content, deps.maxMessageLength);
  return change(deps, userId, messageId, async (tx, target) => {
    if (target.senderId !== userId) throw forbidden("forbidden", "only the sender may edit a message");
    if (target.deleted) throw isDeleted();
    if (target.content === content) return false;
    await writeChange(tx, target, tx`content = ${content}, edited_at = now(),`);
    await tx`delete from mentions where room_id = ${target.roomId} and seq = ${target.seq}`;
    await tx`with changed as (select * from messages where id = ${target.id}) ${insertMentions(tx)}`;
    return true;
  });
}

/** The sender or the room's owner: the message keeps its id, seq and sender, and loses its text, reactions and mentions. */
export function deleteMessage(deps: ChangeDeps, userId: string, messageId: string): Promise<Message> {
  return change(deps, userId, messageId, async (tx, target) => {
    if (target.senderId !== userId && target.room.ownerId !== userId) throw forbidden("forbidden", "only the sender or the room's owner may delete a message");
    if (target.deleted) return false;
    await writeChange(tx, target, tx`content = '', deleted_at = now(),`);
    await tx`delete from reactions where message_id = ${target.id}`;
    await tx`delete from mentions where room_id = ${target.roomId} and seq = ${target.seq}`;
    return true;
  });
}

export function react(deps: ChangeDeps, userId: string, messageId: string, emoji: string): Promise<Message> {
  requireEmoji(emoji);
  return change(deps, userId, messageId, async (tx, target) => {
    if (!target.room.isMember) throw forbidden("not_a_member", "join the room first");
    if (target.deleted) throw isDeleted();
    const added = await tx`insert into reactions (message_id, user_id, emoji) values (${target.id}, ${userId}, ${emoji}) on conflict do nothing`;
    if (added.count === 0) return false;
    await writeChange(tx, target, tx``);
    return true;
  });
}

export function unreact(deps: ChangeDeps, userId: string, messageId: string, emoji: string): Promise<Message> {
  requireEmoji(emoji);
  return change(deps, userId, messageId, async (tx, target) => {
    const removed = await tx`delete from reactions where message_id = ${target.id} and user_id = ${userId} and emoji = ${emoji}`;
    if (removed.count === 0) return false;
    await writeChange(tx, target, tx``);
    return true;
  });
}

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });
/** Pictographs (skin tones and ZWJ sequences stay one grapheme), flags, keycaps. */
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;

/** One grapheme that is an emoji; anything else is refused. */
export function requireEmoji(emoji: string): void {
  const [first, second] = graphemes.segment(emoji);
  if (!first || second || !emoji.isWellFormed() || !EMOJI.test(emoji) || /[\p{L}\s]/u.test(emoji)) {
    throw badRequest("invalid_emoji", "emoji must be one emoji");
  }
}
