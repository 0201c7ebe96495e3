import { t } from "elysia";
import { Text } from "../schemas";

/** Push services' URLs run to a few hundred characters; this keeps out the absurd. */
export const Endpoint = Text({ minLength: 1, maxLength: 2048, error: "endpoint must be a push service's URL (at most 2048 characters)" });
/** What a browser's `PushSubscription.toJSON()` gives (unknown properties are dropped). */
export const Subscribe = t.Object({
  endpoint: Endpoint,
  expirationTime: t.Optional(t.Union([t.Number(), t.Null()], { description: "accepted as browsers send it; an expired subscription answers 404 or 410 and is removed then" })),
  keys: t.Object({
    // 65 and 16 bytes in base64url, with or without padding; whether p256dh is a point on the curve is checked after.
    p256dh: Text({ pattern: "^[A-Za-z0-9_-]{87}=?$", error: "keys.p256dh must be the browser's P-256 public key, 65 bytes in base64url" }),
    auth: Text({ pattern: "^[A-Za-z0-9_-]{22}(==)?$", error: "keys.auth must be the browser's auth secret, 16 bytes in base64url" }),
  }),
});
export const Unsubscribe = t.Object({ endpoint: Endpoint });
export const Subscribed = t.Object({ endpoint: t.String() });
export const PublicKey = t.Object({ publicKey: t.String({ description: "the VAPID public key (base64url): PushManager.subscribe's applicationServerKey" }) });

export type Subscribe = typeof Subscribe.static;
