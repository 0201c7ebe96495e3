// The browser's files, served from /public with their content hash in the URL, so that
// they can be cached for a year. Imported as files so that a `bun build --compile` binary
// carries them too.
import htmxPath from "htmx.org/dist/htmx.min.js" with { type: "file" };
import socketIoPath from "../../node_modules/socket.io-client/dist/socket.io.min.js" with { type: "file" };
import actionsPath from "../../public/actions.js" with { type: "file" };
import adminPath from "../../public/admin.js" with { type: "file" };
import appCssPath from "../../public/app.css" with { type: "file" };
import appleTouchIconPath from "../../public/apple-touch-icon.png" with { type: "file" };
import chatPath from "../../public/chat.js" with { type: "file" };
import copyPath from "../../public/copy.js" with { type: "file" };
import icon192Path from "../../public/icon-192.png" with { type: "file" };
import icon512Path from "../../public/icon-512.png" with { type: "file" };
import maskableIconPath from "../../public/icon-maskable-512.png" with { type: "file" };
import manifestPath from "../../public/manifest.webmanifest" with { type: "file" };
import notificationsPath from "../../public/notifications.js" with { type: "file" };
import presencePath from "../../public/presence.js" with { type: "file" };
import readingPath from "../../public/reading.js" with { type: "file" };
import sidebarPath from "../../public/sidebar.js" with { type: "file" };
import socketPath from "../../public/socket.js" with { type: "file" };
import serviceWorkerPath from "../../public/sw.js" with { type: "file" };
import timelinePath from "../../public/timeline.js" with { type: "file" };
import uploadsPath from "../../public/uploads.js" with { type: "file" };
import { acceptsGzip } from "./negotiation";

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  gzipped: Uint8Array<ArrayBuffer>;
  type: string;
  version: string;
}

const JS = "text/javascript; charset=utf-8";
const PNG = "image/png";
const FILES: Record<string, [path: string, type: string]> = {
  "app.css": [appCssPath, "text/css; charset=utf-8"],
  "chat.js": [chatPath, JS],
  "copy.js": [copyPath, JS],
  "actions.js": [actionsPath, JS],
  "admin.js": [adminPath, JS],
  "presence.js": [presencePath, JS],
  "reading.js": [readingPath, JS],
  "socket.js": [socketPath, JS],
  "sidebar.js": [sidebarPath, JS],
  "notifications.js": [notificationsPath, JS],
  // Served at /sw.js (src/web/routes.ts): a service worker controls the pages under its own path.
  "sw.js": [serviceWorkerPath, JS],
  "manifest.webmanifest": [manifestPath, "application/manifest+json; charset=utf-8"],
  "icon-192.png": [icon192Path, PNG],
  "icon-512.png": [icon512Path, PNG],
  "icon-maskable-512.png": [maskableIconPath, PNG],
  "apple-touch-icon.png": [appleTouchIconPath, PNG],
  "timeline.js": [timelinePath, JS],
  "uploads.js": [uploadsPath, JS],
  "htmx.min.js": [htmxPath, JS],
  "socket.io.min.js": [socketIoPath, JS],
};

async function load(path: string, type: string): Promise<Asset> {
  const body = new Uint8Array(await Bun.file(path).arrayBuffer());
  const version = new Bun.CryptoHasher("sha256").update(body).digest("hex").slice(0, 12);
  return { body, gzipped: Bun.gzipSync(body), type, version };
}

const assets = new Map<string, Asset>(await Promise.all(Object.entries(FILES).map(async ([name, [path, type]]) => [name, await load(path, type)] as const)));

export const assetUrl = (name: string) => `/public/${name}?v=${assets.get(name)?.version}`;

/** The file, immutable for a year when asked for by its current version. */
export function assetResponse(name: string, request: Request): Response | undefined {
  const asset = assets.get(name);
  if (!asset) return undefined;
  const current = new URL(request.url).searchParams.get("v") === asset.version;
  const gzip = acceptsGzip(request);
  return new Response(gzip ? asset.gzipped : asset.body, {
    headers: {
      "content-type": asset.type,
      "cache-control": current ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      vary: "accept-encoding",
      ...(gzip ? { "content-encoding": "gzip" } : {}),
    },
  });
}
