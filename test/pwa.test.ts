// The installable app: the manifest and its icons, the service worker at /sw.js and what it
// does with a push and a click, the page's links to them, and a Content-Security-Policy that
// lets them in and nothing more.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { inflateSync } from "node:zlib";
import { type Browser, getPage, signInBrowser } from "./browser";
import { people, startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;
let aliceBrowser: Browser;

beforeAll(async () => {
  server = await startServer();
  await people(server, "alice");
  aliceBrowser = await signInBrowser(server, "alice");
});
afterAll(() => stopServer(server));

const signedInPage = async () => (await getPage(aliceBrowser, "/")).text();
const linked = (page: string, rel: string) => page.match(new RegExp(`<link rel="${rel}"[^>]* href="([^"]+)"`))?.[1]?.replaceAll("&amp;", "&");

/** Width and height from a PNG's header, once its image data has inflated to exactly that many RGBA rows. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString("ascii")).toBe("IHDR");
  const [width, height] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  const data: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    if (bytes.subarray(at + 4, at + 8).toString("ascii") === "IDAT") data.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  expect(inflateSync(Buffer.concat(data)).length).toBe(height * (1 + width * 4));
  return [width, height];
}

describe("the manifest and its icons", () => {
  test("every page links the manifest, a real icon, the apple-touch-icon and theme colours for light and dark", async () => {
    for (const page of [await (await fetch(server.base + "/signin")).text(), await signedInPage()]) {
      expect(linked(page, "manifest")).toMatch(/^\/public\/manifest\.webmanifest\?v=\w+$/);
      expect(linked(page, "icon")).toMatch(/^\/public\/icon-192\.png\?v=\w+$/);
      expect(linked(page, "apple-touch-icon")).toMatch(/^\/public\/apple-touch-icon\.png\?v=\w+$/);
      expect(page).not.toContain('href="data:');
      expect(page).toContain('<meta name="theme-color" content="#ffffff" media="(prefers-color-scheme: light)">');
      expect(page).toContain('<meta name="theme-color" content="#0f172a" media="(prefers-color-scheme: dark)">');
    }
  });

  test("the manifest is served as application/manifest+json and makes ChatLoop an installable, standalone app of the whole site", async () => {
    const response = await fetch(server.base + linked(await signedInPage(), "manifest")!);
    expect(response.headers.get("content-type")).toBe("application/manifest+json; charset=utf-8");
    const manifest = await response.json();
    expect(manifest).toMatchObject({
      name: "ChatLoop",
      short_name: "ChatLoop",
      start_url: "/",
      scope: "/",
      display: "standalone",
      theme_color: "#ffffff",
      background_color: "#ffffff",
    });
    expect(manifest.icons.map((icon: { sizes: string; purpose: string }) => `${icon.sizes} ${icon.purpose}`)).toEqual(["192x192 any", "512x512 any", "512x512 maskable"]);
  });

  test("each icon is a PNG of the size it claims, served as image/png", async () => {
    const manifest = await (await fetch(server.base + "/public/manifest.webmanifest")).json();
    const icons: { src: string; sizes: string }[] = [...manifest.icons, { src: "/public/apple-touch-icon.png", sizes: "180x180" }];
    for (const icon of icons) {
      const response = await fetch(server.base + icon.src);
      expect([icon.src, response.status, response.headers.get("content-type")]).toEqual([icon.src, 200, "image/png"]);
      expect(pngSize(Buffer.from(await response.arrayBuffer())).join("x")).toBe(icon.sizes);
    }
  });
});

describe("the service worker", () => {
  test("is served at /sw.js as JavaScript, checked again by the browser every time, and parses", async () => {
    const response = await fetch(server.base + "/sw.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const source = await response.text();
    expect(() => new Bun.Transpiler({ loader: "js" }).transformSync(source)).not.toThrow();
  });

  test("shows a push as a notification per room, and a click on it brings a ChatLoop window to the room, or opens one", async () => {
    const worker = await runServiceWorker();
    const push = { roomId: "r1", seq: 3, title: "alice in plans", body: "meet at noon", url: "/chat/rooms/r1" };
    await worker.dispatch("push", { data: { json: () => push } });
    expect(worker.shown).toEqual([
      { title: "alice in plans", body: "meet at noon", tag: "room:r1", renotify: true, icon: "/public/icon-192.png", data: { url: `${ORIGIN}/chat/rooms/r1` } },
    ]);

    // Something unreadable still shows a notification, as browsers require of every push.
    await worker.dispatch("push", { data: { json: () => JSON.parse("{") } });
    expect(worker.shown[1]).toMatchObject({ title: "ChatLoop", body: "New messages", data: { url: `${ORIGIN}/` } });

    const { windows, opened } = worker;
    await worker.dispatch("notificationclick", { notification: { data: { url: `${ORIGIN}/chat/rooms/r1` }, close() {} } });
    expect(opened).toEqual([`${ORIGIN}/chat/rooms/r1`]);

    windows.push({ url: `${ORIGIN}/`, focused: false, navigatedTo: [] as string[] });
    await worker.dispatch("notificationclick", { notification: { data: { url: "https://evil.example/phish" }, close() {} } });
    expect(windows[0]!.navigatedTo).toEqual([]); // only a page of this site: the window was already there, and is focused
    await worker.dispatch("notificationclick", { notification: { data: { url: `${ORIGIN}/chat/rooms/r2` }, close() {} } });
    expect(windows[0]!.navigatedTo).toEqual([`${ORIGIN}/chat/rooms/r2`]);
    expect(opened).toHaveLength(1);
  });
});

describe("the page", () => {
  test("a signed-in page loads notifications.js and has the button, hidden until the script finds permission still to ask", async () => {
    const page = await signedInPage();
    expect(page).toMatch(/<script src="\/public\/notifications\.js\?v=\w+" defer><\/script>/);
    expect(page).toMatch(/<button id="enable-notifications" type="button" hidden data-username="alice"[^>]*>.*Turn on notifications.*<\/button>/);
    const signIn = await (await fetch(server.base + "/signin")).text();
    expect(signIn).not.toContain("notifications.js");
    expect(signIn).not.toContain("enable-notifications");
  });

  test("the Content-Security-Policy names the manifest and the worker as our own, and allows nothing else it did not before", async () => {
    const csp = (await getPage(aliceBrowser, "/")).headers.get("content-security-policy");
    expect(csp!.split("; ")).toEqual([
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "manifest-src 'self'",
      "worker-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ]);
  });
});

const ORIGIN = "https://chat.example";

/**
 * public/sw.js run as a browser runs it, in a scope of its own: `self` with what the worker
 * uses of it (its events, the registration's notifications, the window clients).
 */
async function runServiceWorker() {
  const source = await (await fetch(server.base + "/sw.js")).text();
  const listeners = new Map<string, (event: unknown) => void>();
  const shown: Record<string, unknown>[] = [];
  const opened: string[] = [];
  const windows: { url: string; focused: boolean; navigatedTo: string[] }[] = [];
  const self = {
    location: new URL(`${ORIGIN}/sw.js`),
    addEventListener: (type: string, listener: (event: unknown) => void) => listeners.set(type, listener),
    skipWaiting: () => Promise.resolve(),
    registration: { showNotification: async (title: string, options: object) => void shown.push({ title, ...options }) },
    clients: {
      claim: () => Promise.resolve(),
      matchAll: async () =>
        windows.map((client) => ({
          ...client,
          focus: async () => ({ navigate: async (url: string) => void client.navigatedTo.push(url) }),
        })),
      openWindow: async (url: string) => void opened.push(url),
    },
  };
  new Function("self", source)(self);
  return {
    shown,
    opened,
    windows,
    async dispatch(type: string, event: object) {
      const waits: Promise<unknown>[] = [];
      listeners.get(type)!({ ...event, waitUntil: (promise: Promise<unknown>) => waits.push(promise) });
      await Promise.all(waits);
    },
  };
}
