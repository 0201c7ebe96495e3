// How the UI answers: the fragment to htmx, the full page to everyone else, always with the
// security headers; and a redirect that htmx follows as well as a plain form does.

import type { SafeHtml } from "../../views/html";
import { layout } from "../../views/layout";
import { assetUrl } from "./assets";
import { acceptsGzip } from "./negotiation";
import type { Viewer } from "./session";

const SECURITY_HEADERS = {
  "content-security-policy": [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    // The installable app's manifest and the service worker that shows pushes (both also
    // covered by default-src; named so that they stay ours alone if it ever changes).
    "manifest-src 'self'",
    "worker-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join("; "),
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

export const isHtmx = (request: Request) => request.headers.get("hx-request") === "true";

function htmlAnswer(request: Request, body: SafeHtml, status = 200, headers: Record<string, string> = {}): Response {
  const gzip = acceptsGzip(request);
  return new Response(gzip ? Bun.gzipSync(body.value) : body.value, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      ...SECURITY_HEADERS,
      vary: "hx-request, accept-encoding",
      ...(gzip ? { "content-encoding": "gzip" } : {}),
      ...headers,
    },
  });
}

export interface PageOptions {
  title: string;
  /** The signed-in person: a whole page has their sidebar. */
  viewer?: Viewer;
  /** Loads the Socket.IO client: the page is a room one can chat in. */
  live?: boolean;
  /** The page's own scripts under /public, by file name. */
  scripts?: string[];
  status?: number;
  headers?: Record<string, string>;
}

/** The fragment alone when htmx asks, else the page built around the very same fragment. */
export async function page(request: Request, fragment: SafeHtml, options: PageOptions): Promise<Response> {
  if (isHtmx(request)) return htmlAnswer(request, fragment, options.status, options.headers);
  const { viewer } = options;
  const sidebar = viewer && { conversations: await viewer.conversations(), currentPath: new URL(request.url).pathname };
  const header = viewer && { userId: viewer.userId, username: viewer.username, isAdmin: await viewer.isAdmin() };
  const body = layout({ ...options, viewer: header, sidebar, assets: { url: assetUrl }, body: fragment });
  return htmlAnswer(request, body, options.status, options.headers);
}

export function redirect(request: Request, location: string, headers: Record<string, string> = {}): Response {
  if (isHtmx(request)) return new Response(null, { status: 204, headers: { "hx-redirect": location, ...SECURITY_HEADERS, ...headers } });
  return new Response(null, { status: 303, headers: { location, ...SECURITY_HEADERS, ...headers } });
}
