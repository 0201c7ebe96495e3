// The data path of a message: check the sender, store it (numbered, once per clientId),
// and only then hand it to the hub for delivery.
import { requireSelf, type Principal } from "../auth/accounts";
import { isUniqueViolation, type Sql } from "../db/sql";
import { AppError, badRequest, conflict, forbidden } from "../errors";
import type { RateLimiter } from "../limits/rate-limits";
import type { Hub } from "../realtime/hub";
import { requireMember } from "../rooms/rooms";
import { findByClientId, insertMessage } from "./messages";
import type { Message, SendMessage } from "./schemas";

export interface SendDeps {
  sql: Sql;
  hub: Hub;
  limiter: RateLimiter;
  maxMessageLength: number;
}

export interface Sent {
  message: Message;
  /** False when a retry found the message its clientId already stored. */
  created: boolean;
}

export async function sendMessage(deps: SendDeps, sender: Principal, input: SendMessage): Promise<Sent> {
  requireSelf(sender, input.senderId);
  if (!/\S/.test(input.content)) throw badRequest("empty_message", "content must not be blank");
  const length = [...input.content].length;
  if (length > deps.maxMessageLength) {
    throw new AppError(413, "message_too_long", `content must be at most ${deps.maxMessageLength} characters`);
  }

  await deps.limiter.take("messagesPerUser", sender.userId);
  const clientId = input.clientId ?? null;
  if (clientId) {
    const earlier = await findByClientId(deps.sql, sender.userId, clientId);
    if (earlier) return retried(deps.sql, sender, earlier, input.roomId);
  }
  let message: Message | undefined;
  try {
    message = await insertMessage(deps.sql, { roomId: input.roomId, senderId: sender.userId, content: input.content, clientId });
  } catch (error) {
    // Two sends with one clientId raced past the check above; the database kept the first.
    if (!clientId || !isUniqueViolation(error, "messages_sender_client_id_key")) throw error;
    return retried(deps.sql, sender, (await findByClientId(deps.sql, sender.userId, clientId))!, input.roomId);
  }
  if (!message) {
    await requireMember(deps.sql, sender.userId, input.roomId); // says why: not found, or not a member
    throw forbidden("not_a_member", "join the room first");
  }
  deps.hub.messageStored(message);
  return { message, created: true };
}

/** A retry answers with the first message, but only to someone who may still post there. */
async function retried(sql: Sql, sender: Principal, earlier: Message, roomId: string): Promise<Sent> {
  await requireMember(sql, sender.userId, roomId);
  if (earlier.roomId !== roomId) throw conflict("client_id_reused", "that clientId was already used for a message in another room");
  return { message: earlier, created: false };
}
