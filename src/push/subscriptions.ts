// Push subscriptions: each browser's endpoint and keys, under the person it notifies; and,
// for messages just stored, which of them are to be told.
import type { Sql } from "../db/sql";
import { badRequest } from "../errors";
import { notifyLevel } from "../rooms/unread";
import { endpointProblem } from "./endpoints";
import { base64url, isP256Point } from "./keys";
import type { Subscribe } from "./schemas";

/**
 * Browsers that lose their subscription (site data cleared, a reinstall) leave the old endpoint
 * behind until a push to it fails: a person keeps this many, the newest, so that a new browser
 * of theirs can always subscribe.
 */
export const MAX_SUBSCRIPTIONS_PER_USER = 20;

/** Where a push goes, and the keys it is encrypted with. */
export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** One push to send: the newest message, in one room, that is to reach one subscription. */
export interface Recipient extends PushTarget {
  userId: string;
  roomId: string;
  seq: number;
  roomName: string;
  direct: boolean;
}

/** Stores the browser's subscription under the user; an endpoint subscribed before moves to them. */
export async function subscribe(sql: Sql, userId: string, subscription: Subscribe, allowPrivate: boolean): Promise<string> {
  const problem = endpointProblem(subscription.endpoint, allowPrivate);
  if (problem) throw badRequest("invalid_endpoint", problem);
  if (!isP256Point(subscription.keys.p256dh)) throw badRequest("invalid_key", "keys.p256dh must be a point on the P-256 curve");
  const [p256dh, auth] = [subscription.keys.p256dh, subscription.keys.auth].map((key) => base64url(key)!.toString("base64url"));
  await sql.begin(async (tx) => {
    await tx`
      insert into push_subscriptions (endpoint, user_id, p256dh, auth) values (${subscription.endpoint}, ${userId}, ${p256dh!}, ${auth!})
      on conflict (endpoint) do update set user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth, created_at = now()`;
    await tx`
      delete from push_subscriptions where endpoint in (
        select endpoint from push_subscriptions where user_id = ${userId}
        order by created_at desc, endpoint = ${subscription.endpoint} desc offset ${MAX_SUBSCRIPTIONS_PER_USER})`;
  });
  return subscription.endpoint;
}

/** Forgets the user's own subscription; someone else's endpoint stays as it is. */
export async function unsubscribe(sql: Sql, userId: string, endpoint: string): Promise<void> {
  await sql`delete from push_subscriptions where endpoint = ${endpoint} and user_id = ${userId}`;
}

/** The push service says the subscription is no more (404 or 410). */
export async function forgetEndpoint(sql: Sql, endpoint: string): Promise<void> {
  await sql`delete from push_subscriptions where endpoint = ${endpoint}`;
}

export interface StoredMessage {
  roomId: string;
  seq: number;
  senderId: string;
}

/**
 * The subscriptions of the members, other than the sender, whom these messages are to notify
 * at their level in the room (src/rooms/unread.ts): every message at "all", the ones that
 * mention them at "mentions", none at "none". Per person and room only the newest such message
 * counts: its notification replaces the room's earlier one anyway. So a room's members are
 * matched against each sender's newest message of the moment, not against every message: a
 * burst in a big room costs its senders times its members, not its messages times its members.
 */
export async function recipientsOf(sql: Sql, messages: StoredMessage[]): Promise<Recipient[]> {
  const list = (values: (string | number)[]) => values.join(",");
  const rows = await sql<{ endpoint: string; p256dh: string; auth: string; user_id: string; room_id: string; seq: string; room_name: string; kind: string }[]>`
    with stored as (
      select * from unnest(string_to_array(${list(messages.map((m) => m.roomId))}, ',')::uuid[],
                           string_to_array(${list(messages.map((m) => m.seq))}, ',')::bigint[],
                           string_to_array(${list(messages.map((m) => m.senderId))}, ',')::uuid[]) as q(room_id, seq, sender_id)
    ), newest_by_sender as (
      select room_id, sender_id, max(seq) as seq from stored group by room_id, sender_id
    ), wanted as (
      select ms.room_id, ms.user_id, max(n.seq) as seq
      from newest_by_sender n
      join memberships ms on ms.room_id = n.room_id and ms.user_id <> n.sender_id
      join rooms r on r.id = ms.room_id
      where ${notifyLevel(sql)} = 'all' and exists (select from push_subscriptions s where s.user_id = ms.user_id)
      group by ms.room_id, ms.user_id
      union all
      select ms.room_id, ms.user_id, max(q.seq)
      from stored q
      join mentions x on x.room_id = q.room_id and x.seq = q.seq and x.user_id <> q.sender_id
      join memberships ms on ms.room_id = x.room_id and ms.user_id = x.user_id
      join rooms r on r.id = ms.room_id
      where ${notifyLevel(sql)} = 'mentions'
      group by ms.room_id, ms.user_id
    )
    select s.endpoint, s.p256dh, s.auth, s.user_id, w.room_id, w.seq, r.name as room_name, r.kind
    from wanted w join push_subscriptions s on s.user_id = w.user_id join rooms r on r.id = w.room_id`;
  return rows.map((row) => ({
    endpoint: row.endpoint,
    keys: { p256dh: row.p256dh, auth: row.auth },
    userId: row.user_id,
    roomId: row.room_id,
    seq: Number(row.seq),
    roomName: row.room_name,
    direct: row.kind === "direct",
  }));
}
