// Page weight and first paint of a room page, measured in headless Chromium.
// `bun bench/page-weight.ts`: a throwaway server, a room with 50 messages, 5 cold loads.
import { chromium } from "playwright-core";
import { BROWSER_ACCEPT, signInBrowser } from "../test/browser";
import { CHROMIUM } from "../test/e2e/chromium";
import { api, createRoom, signUp, startServer, stopServer } from "../test/harness";

const LOADS = 5;
const server = await startServer();
const alice = await signUp(server, "alice");
const room = await createRoom(server, alice, "watercooler");
for (let i = 1; i <= 50; i++) {
  await api(server, "POST", "/messages", { roomId: room.id, content: `message ${i}: a line of ordinary chat, https://example.com/${i}` }, alice.token);
}
const { cookie } = await signInBrowser(server, "alice");
const roomPath = `/chat/rooms/${room.id}`;

// Bytes of each file the page loads: as the server sends it to a browser, and uncompressed.
async function weigh(url: string, headers: Record<string, string> = {}) {
  const bytes = async (encoding: string) =>
    (await (await fetch(server.base + url, { headers: { ...headers, "accept-encoding": encoding }, decompress: false })).arrayBuffer()).byteLength;
  return { url: url.split("?")[0]!, raw: await bytes("identity"), gzip: await bytes("gzip") };
}
const html = await (await fetch(server.base + roomPath, { headers: { cookie, accept: BROWSER_ACCEPT } })).text();
const files = [await weigh(roomPath, { cookie, accept: BROWSER_ACCEPT })];
for (const [, url] of html.matchAll(/(?:href|src)="(\/public\/[^"]+)"/g)) files.push(await weigh(url!));

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const paints: { firstPaint: number; firstContentfulPaint: number }[] = [];
for (let i = 0; i < LOADS; i++) {
  const context = await browser.newContext({ baseURL: server.base }); // a cold cache each time
  const [name, value] = cookie.split("=");
  await context.addCookies([{ name: name!, value: value!, url: server.base }]);
  const page = await context.newPage();
  await page.goto(roomPath);
  await page.waitForFunction(() => performance.getEntriesByType("paint").length >= 2);
  paints.push(
    await page.evaluate(() => {
      const at = (name: string) => performance.getEntriesByName(name)[0]!.startTime;
      return { firstPaint: at("first-paint"), firstContentfulPaint: at("first-contentful-paint") };
    }),
  );
  await context.close();
}
await browser.close();
await stopServer(server);

const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sum = (key: "raw" | "gzip") => files.reduce((total, f) => total + f[key], 0);
console.table(files);
console.log(`room page, HTML+CSS+JS: ${sum("raw")} bytes uncompressed, ${sum("gzip")} bytes as served gzipped`);
console.log(
  `first paint, median of ${LOADS} cold loads: ${median(paints.map((p) => p.firstPaint)).toFixed(0)} ms; first contentful paint ${median(paints.map((p) => p.firstContentfulPaint)).toFixed(0)} ms`,
);
