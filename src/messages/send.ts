// Posting a message: check the sender and the text, store it (numbered, once per clientId,
// with the other sends of the moment), and only then broadcast it.
import { type Principal, requireSelf } from "../auth/accounts";
import type { Broadcasts } from "../broadcasts";
import type { Sql } from "../db/sql";
import { AppError, badRequest, conflict, forbidden, notFound } from "../errors";
import type { RateLimiter } from "../limits/rate-limits";
import { requireMember, roomArchived } from "../rooms/rooms";
import { longerThan } from "../text";
import type { GroupCommit } from "./group-commit";
import type { Message, SendMessage } from "./schemas";

export interface SendDeps {
  sql: Sql;
  broadcasts: Broadcasts;
  limiter: RateLimiter;
  messageStore: GroupCommit;
  maxMessageLength: number;
}

export interface Sent {
  message: Message;
  /** False when a retry found the message its clientId already stored. */
  created: boolean;
}

/**
 * Refuses blank content (unless the message carries attachments, which say something already),
 * and content longer than the server allows (in characters, not UTF-16 units).
 */
export function checkContent(content: string, maxLength: number, withAttachments = false): void {
  // "" is refused as the schema refused it before messages could carry attachments.
  if (!withAttachments && content === "") throw badRequest("invalid_input", "content: must not be empty unless the message has attachments");
  if (!withAttachments && !/\S/.test(content)) throw badRequest("empty_message", "content must not be blank");
  if (longerThan(content, maxLength)) throw new AppError(413, "message_too_long", `content must be at most ${maxLength} characters`);
}

/** Who sends: a signed-in person, a bot answering, an incoming webhook. */
export type Sender = Pick<Principal, "userId" | "username">;

export async function sendMessage(deps: SendDeps, sender: Sender, input: SendMessage): Promise<Sent> {
  requireSelf(sender, input.senderId);
  const attachmentIds = input.attachmentIds ?? [];
  checkContent(input.content, deps.maxMessageLength, attachmentIds.length > 0);

  await deps.limiter.take("messagesPerUser", sender.userId);
  const stored = await deps.messageStore.store({
    roomId: input.roomId,
    senderId: sender.userId,
    username: sender.username,
    content: input.content,
    clientId: input.clientId ?? null,
    replyToId: input.replyToId ?? null,
    attachmentIds,
  });
  switch (stored.outcome) {
    case "stored":
      deps.broadcasts.messagePosted(stored.message);
      return { message: stored.message, created: true };
    case "no_reply_target":
      throw notFound("message_not_found", "replyToId names no message of this room");
    case "archived":
      // A member's send, so the room is no secret to them.
      throw roomArchived();
    case "attachments_refused":
      throw badRequest("invalid_attachments", "attachmentIds must name your own uploads to this room that no message has yet");
    case "earlier":
      // A retry answers with the first message, but only to someone who may still post there.
      if (!stored.member) break;
      if (stored.message.roomId !== input.roomId) throw conflict("client_id_reused", "that clientId was already used for a message in another room");
      deps.broadcasts.messageRetried(stored.message);
      return { message: stored.message, created: false };
  }
  await requireMember(deps.sql, sender.userId, input.roomId); // says why: not found, or not a member
  throw forbidden("not_a_member", "join the room first");
}
