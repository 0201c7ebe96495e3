// The data path of a message: check the sender, store it (numbered, once per clientId, with
// the other sends of the moment), and only then hand it to the hub for delivery.
import { requireSelf, type Principal } from "../auth/accounts";
import type { Sql } from "../db/sql";
import { AppError, badRequest, conflict, forbidden } from "../errors";
import type { RateLimiter } from "../limits/rate-limits";
import type { Hub } from "../realtime/hub";
import { requireMember } from "../rooms/rooms";
import type { GroupCommit } from "./group-commit";
import type { Message, SendMessage } from "./schemas";

export interface SendDeps {
  sql: Sql;
  hub: Hub;
  limiter: RateLimiter;
  messageStore: GroupCommit;
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
  const stored = await deps.messageStore.store({ roomId: input.roomId, senderId: sender.userId, username: sender.username, content: input.content, clientId: input.clientId ?? null });
  if (stored.outcome === "stored") {
    deps.hub.messageStored(stored.message);
    return { message: stored.message, created: true };
  }
  // A retry answers with the first message, but only to someone who may still post there.
  if (stored.outcome === "earlier" && stored.member) {
    if (stored.message.roomId !== input.roomId) throw conflict("client_id_reused", "that clientId was already used for a message in another room");
    deps.hub.messageRetried(stored.message);
    return { message: stored.message, created: false };
  }
  await requireMember(deps.sql, sender.userId, input.roomId); // says why: not found, or not a member
  throw forbidden("not_a_member", "join the room first");
}
