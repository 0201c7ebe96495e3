// How the pages look and who can use them: axe-core finds no WCAG A/AA violation in light
// and dark, on a phone and a wide screen; the keyboard alone can do the job; and the run
// leaves the README's screenshots in docs/screenshots.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { api, signUp, startServer, stopServer, type TestServer } from "../harness";
import { launchChromium, registerThroughForm, visitor, waitForMessages, TEST_MS } from "./chromium";

const AXE_SOURCE = await Bun.file(require.resolve("axe-core/axe.min.js")).text();
const SCREENSHOTS = "docs/screenshots";
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 360, height: 740 } } as const;
const SCHEMES = ["light", "dark"] as const;

let server: TestServer;
let browser: Browser;
let storageState: BrowserContextOptions["storageState"];
let roomPath: string;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  const alice = await visitor(browser, server);
  await registerThroughForm(alice.page, "alice");
  storageState = await alice.context.storageState();
  await alice.context.close();

  // A lived-in room: two people, a link, a long word, a few lines.
  const [aliceApi, bob] = [
    { token: (await api(server, "POST", "/auth/login", { username: "alice", password: "correct horse battery" })).body.token },
    await signUp(server, "bob"),
  ];
  const room = (await api(server, "POST", "/rooms", { name: "watercooler" }, aliceApi.token)).body;
  await api(server, "POST", "/rooms", { name: "design reviews", isPrivate: true }, aliceApi.token);
  await api(server, "POST", "/rooms", { name: "release planning" }, bob.token);
  await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
  const lines: [string, string][] = [
    [bob.token, "Morning! Did the deploy go out?"],
    [aliceApi.token, "It did. Release notes: https://example.com/releases/0.1"],
    [bob.token, "Nice.\nTwo things:\n- the docs page\n- the supercalifragilisticexpialidocious_configuration_flag_that_never_ends"],
    [aliceApi.token, "Both on my list for today."],
  ];
  for (const [token, content] of lines) await api(server, "POST", "/messages", { roomId: room.id, content }, token);
  roomPath = `/chat/rooms/${room.id}`;
}, TEST_MS);
afterAll(async () => {
  await browser?.close();
  await stopServer(server);
}, TEST_MS);

async function accessibilityViolations(page: Page) {
  await page.evaluate(AXE_SOURCE); // through the DevTools protocol: the page's CSP still forbids inline scripts
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe.run({
      runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }),
  );
  return result.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target) }));
}

test("sign-in and register pages pass axe-core in light and dark", async () => {
  for (const colorScheme of SCHEMES) {
    const { page, context } = await visitor(browser, server, { colorScheme });
    for (const path of ["/signin", "/register"]) {
      await page.goto(path);
      expect(await accessibilityViolations(page)).toEqual([]);
    }
    await context.close();
  }
}, TEST_MS);

test("home and room pass axe-core on a phone and a wide screen, light and dark, and are photographed for the README", async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    for (const colorScheme of SCHEMES) {
      const { page, context, errors, foreignRequests } = await visitor(browser, server, { colorScheme, viewport, storageState });
      await page.goto("/");
      expect(await accessibilityViolations(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: `${SCREENSHOTS}/home-${size}-${colorScheme}.png` });

      await page.goto(roomPath);
      await page.waitForFunction(() => document.getElementById("room")?.dataset.joined === "true");
      await waitForMessages(page, (m) => m.length === 4);
      await page.locator('#members li[data-online="true"]', { hasText: "alice" }).waitFor(); // her own presence, as it arrives
      expect(await accessibilityViolations(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: `${SCREENSHOTS}/room-${size}-${colorScheme}.png` });

      expect(errors).toEqual([]);
      expect(foreignRequests).toEqual([]);
      await context.close();
    }
  }
}, TEST_MS);

test("the keyboard alone creates a room and sends a message", async () => {
  const { page, context } = await visitor(browser, server, { storageState });
  await page.goto("/");
  const focused = () => page.evaluate(() => document.activeElement?.id ?? document.activeElement?.tagName);
  for (let presses = 0; (await focused()) !== "room-name"; presses++) {
    expect(presses).toBeLessThan(30);
    await page.keyboard.press("Tab");
  }
  await page.keyboard.type("made by keyboard");
  await page.keyboard.press("Tab"); // the "private" checkbox
  await page.keyboard.press("Space");
  await page.keyboard.press("Tab"); // "Create room"
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/chat\/rooms\//);
  await page.waitForFunction(() => document.getElementById("room")?.dataset.joined === "true");
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("made by keyboard (private)");
  expect(await focused()).toBe("composer-text"); // the composer has focus from the start
  await page.keyboard.type("typed, not clicked");
  await page.keyboard.press("Enter");
  await waitForMessages(page, (m) => m.length === 1 && !m[0]!.pending);
  await context.close();
}, TEST_MS);
