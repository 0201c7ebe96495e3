// What the HTTP routes need, built once by the composition root.
import { Elysia } from "elysia";
import { authenticate, type AuthSettings, type Principal, type Sessions } from "../auth/accounts";
import { credentialFrom } from "../auth/credentials";
import { unauthorized } from "../errors";
import type { RateLimiter } from "../limits/rate-limits";
import type { GroupCommit } from "../messages/group-commit";
import type { Metrics } from "../metrics";
import type { Broadcasts } from "../broadcasts";
import type { FileStorage } from "../attachments/storage";
import type { Presence } from "../realtime/presence";
import { requireSameOrigin } from "./origin";

export interface HttpDeps extends Sessions {
  limiter: RateLimiter;
  metrics: Metrics;
  presence: Presence;
  broadcasts: Broadcasts;
  messageStore: GroupCommit;
  auth: AuthSettings;
  maxMessageLength: number;
  /** Where uploads live, and how large one may be (bytes). */
  storage: FileStorage;
  maxUploadBytes: number;
  push: {
    /** The VAPID public key, which browsers subscribe with. */
    publicKey: string;
    allowPrivateEndpoints: boolean;
  };
}

/**
 * Adds the `auth` macro: a route with `auth: true` gets `principal`, or answers 401.
 * The token is checked in `transform`, before the body is validated, so that a caller
 * without credentials hears 401 rather than learning what a valid body looks like.
 * A request authenticated by the browser's cookie must also come from one of our pages.
 */
export function authGuard(sessions: Sessions) {
  const principals = new WeakMap<Request, Principal>();
  return new Elysia().macro({
    auth: {
      async transform({ request, headers }) {
        const credential = credentialFrom(headers.authorization, headers.cookie);
        if (!credential) throw unauthorized("missing_token", "sign in first: send Authorization: Bearer <token>");
        if (credential.via === "cookie") requireSameOrigin(request);
        principals.set(request, await authenticate(sessions, credential.token));
      },
      resolve: ({ request }) => ({ principal: principals.get(request)! }),
    },
  });
}
