// What the HTTP routes need, built once by the composition root.
import { Elysia } from "elysia";
import { authenticate, type AuthSettings, type Principal, type Sessions } from "../auth/accounts";
import { credentialFrom } from "../auth/credentials";
import { badRequest, unauthorized } from "../errors";
import type { RateLimiter } from "../limits/rate-limits";
import type { GroupCommit } from "../messages/group-commit";
import type { Metrics } from "../metrics";
import type { Broadcasts } from "../broadcasts";
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
  push: {
    /** The VAPID public key, which browsers subscribe with. */
    publicKey: string;
    allowPrivateEndpoints: boolean;
  };
  /** Bot webhooks may be private addresses (WEBHOOK_ALLOW_PRIVATE). */
  webhooksAllowPrivate: boolean;
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
        refuseTokenInUrl(request);
        const credential = credentialFrom(headers.authorization, headers.cookie);
        if (!credential) throw unauthorized("missing_token", "sign in first: send Authorization: Bearer <token>");
        if (credential.via === "cookie") requireSameOrigin(request);
        principals.set(request, await authenticate(sessions, credential.token));
      },
      resolve: ({ request }) => ({ principal: principals.get(request)! }),
    },
  });
}

/** Query parameters that would carry a token in a URL. */
const TOKEN_PARAMETERS = ["token", "access_token"];

/**
 * A token in a URL is written down wherever the URL goes (logs, history, Referer): one sent so
 * is refused, whether or not the request also carries it properly.
 */
function refuseTokenInUrl(request: Request): void {
  const query = new URL(request.url).searchParams;
  if (TOKEN_PARAMETERS.some((name) => query.has(name))) {
    throw badRequest("token_in_url", "never put a token in a URL: send it as Authorization: Bearer <token>");
  }
}
