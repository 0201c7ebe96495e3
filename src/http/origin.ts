// Cross-site request checks. A browser attaches the session cookie to any request, even one a
// foreign page starts, but it always says where that page came from (Origin, else Referer).
import { forbidden } from "../errors";

/** The origin the client used to reach us; a TLS-terminating proxy tells the scheme in X-Forwarded-Proto. */
export function ownOrigin(request: Request): string {
  const url = new URL(request.url);
  const scheme = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return `${scheme === "https" || scheme === "http" ? scheme : url.protocol.slice(0, -1)}://${request.headers.get("host") ?? url.host}`;
}

export const isHttps = (request: Request) => ownOrigin(request).startsWith("https:");

/** The origin of the page that made the request, if the browser said. */
export function callerOrigin(request: Request): string | undefined {
  const origin = request.headers.get("origin");
  if (origin && origin !== "null") return origin;
  const referer = request.headers.get("referer");
  if (!referer) return origin ?? undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return "null";
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A state-changing request must come from one of our own pages. */
export function requireSameOrigin(request: Request): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (callerOrigin(request) !== ownOrigin(request)) {
    throw forbidden("cross_site_request", "this request did not come from a ChatLoop page");
  }
}

/** Where the links the server hands out (reset, join) point: PUBLIC_URL, else the origin the request came to. */
export const linkOrigin = (request: Request, publicUrl: string | undefined) => publicUrl ?? ownOrigin(request);
