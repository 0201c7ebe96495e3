// What the HTTP routes need, built once by the composition root.
import { Elysia } from "elysia";
import type { FileStorage } from "../attachments/storage";
import { type AuthSettings, authenticate, type Principal, type Sessions } from "../auth/accounts";
import { requireAdmin } from "../auth/admins";
import { credentialFrom } from "../auth/credentials";
import type { Broadcasts } from "../broadcasts";
import { badRequest, unauthorized } from "../errors";
import type { RateLimiter } from "../limits/rate-limits";
import type { GroupCommit } from "../messages/group-commit";
import type { Metrics } from "../metrics";
import type { Presence } from "../realtime/presence";
import { requireSameOrigin } from "./origin";

export interface HttpDeps extends Sessions {
  limiter: RateLimiter;
  metrics: Metrics;
  /** METRICS_TOKEN: /metrics on the app's port answers only this bearer token, and 404 without one. */
  metricsToken?: string;
  presence: Presence;
  broadcasts: Broadcasts;
  messageStore: GroupCommit;
  auth: AuthSettings;
  maxMessageLength: number;
  /** The origin of the links the server hands out (PUBLIC_URL); else the request's own. */
  publicUrl?: string;
  /** Where uploads live, and how large one may be (bytes). */
  storage: FileStorage;
  maxUploadBytes: number;
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
 * `admin: true` is the same, and also answers 403 to anyone but a site admin, just as early
 * (the admin functions of the domain check again: the pages call them too).
 */
export function authGuard(sessions: Sessions) {
  const principals = new WeakMap<Request, Principal>();
  const authenticateRequest = async (request: Request, headers: Record<string, string | undefined>) => {
    refuseTokenInUrl(request);
    const credential = credentialFrom(headers.authorization, headers.cookie);
    if (!credential) throw unauthorized("missing_token", "sign in first: send Authorization: Bearer <token>");
    if (credential.via === "cookie") requireSameOrigin(request);
    const principal = await authenticate(sessions, credential.token);
    principals.set(request, principal);
    return principal;
  };
  const resolve = ({ request }: { request: Request }) => ({ principal: principals.get(request)! });
  return new Elysia().macro({
    auth: {
      async transform({ request, headers }) {
        await authenticateRequest(request, headers);
      },
      resolve,
    },
    admin: {
      async transform({ request, headers }) {
        await requireAdmin(sessions.sql, (await authenticateRequest(request, headers)).userId);
      },
      resolve,
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
