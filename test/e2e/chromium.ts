// Headless Chromium for the end-to-end tests: Debian's /usr/bin/chromium driven by
// playwright-core. A missing browser fails the tests loudly: CI must install it.
import { afterAll, beforeAll } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { userRoom } from "../../src/realtime/broadcasts";
import { startServer, stopServer, type TestServer } from "../harness";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** How long a DOM condition may take to become true before the test fails. */
export const WAIT_MS = 10_000;
/** A whole end-to-end test: a few such waits, and Chromium's own start. */
export const TEST_MS = 60_000;

/**
 * A file's server and browser: started before its tests (`ready` takes them, and may set up
 * more), both stopped after them.
 */
export function withServerAndBrowser(ready: (server: TestServer, browser: Browser) => unknown): void {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    await ready(server, browser);
  }, TEST_MS);
  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server);
  }, TEST_MS);
}

/**
 * What Chromium itself logs when a page subscribes to push in an incognito context, as every
 * Playwright context is (a signed-in page does, once notifications are allowed): not the page's error.
 */
const INCOGNITO_PUSH = "does not support the Push API in incognito mode";

/** Playwright gives the browser a fresh temporary profile and removes it on close. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Requests the page made to anywhere other than the server: there must be none. */
  foreignRequests: string[];
  /** Console errors, CSP violations among them. */
  errors: string[];
}

/** A fresh browser context (its own cookies) with one page, watched for errors and foreign requests. */
export async function visitor(browser: Browser, server: TestServer, options: BrowserContextOptions = {}): Promise<Visitor> {
  const context = await browser.newContext({ baseURL: server.base, ...options });
  const page = await context.newPage();
  const foreignRequests: string[] = [];
  const errors: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(server.base) && !request.url().startsWith(server.base.replace("http", "ws"))) foreignRequests.push(request.url());
  });
  page.on("console", (message) => message.type() === "error" && !message.text().includes(INCOGNITO_PUSH) && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(error.message));
  page.setDefaultTimeout(WAIT_MS);
  return { context, page, foreignRequests, errors };
}

export async function registerThroughForm(page: Page, username: string, password = "correct horse battery"): Promise<void> {
  await page.goto("/register");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((url) => url.pathname === "/");
}

/** Fills in the sign-in form and sends it. */
export async function fillSignIn(page: Page, username: string, password = "correct horse battery"): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signInThroughForm(page: Page, username: string, password?: string): Promise<void> {
  await fillSignIn(page, username, password);
  await page.waitForURL((url) => url.pathname === "/");
}

/** The message texts shown in the room, top to bottom, stored and pending. */
export function shownMessages(page: Page): Promise<{ seq: string | undefined; text: string; pending: boolean }[]> {
  return page.$$eval("#messages li.message", (items) =>
    items.map((item) => ({
      seq: (item as HTMLElement).dataset.seq,
      text: item.querySelector(".message-text")!.textContent!,
      pending: item.classList.contains("pending"),
    })),
  );
}

/** Waits until `check` holds on the page's messages, then returns them. */
export async function waitForMessages(page: Page, check: (messages: Awaited<ReturnType<typeof shownMessages>>) => boolean) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const messages = await shownMessages(page);
    if (check(messages)) return messages;
    if (Date.now() > deadline) throw new Error(`messages never matched; last seen: ${JSON.stringify(messages)}`);
    await page.waitForTimeout(50); // polling the DOM, bounded by the deadline above
  }
}

export async function createRoomThroughForm(page: Page, name: string, isPrivate = false): Promise<string> {
  await page.goto("/");
  await page.getByLabel("Room name").fill(name);
  if (isPrivate) await page.getByLabel(/Private/).check();
  await page.getByRole("button", { name: "Create room" }).click();
  await page.waitForURL(/\/chat\/rooms\//);
  await waitUntilLive(page);
  return new URL(page.url()).pathname;
}

/** The room page has joined its room over Socket.IO. */
export async function waitUntilLive(page: Page) {
  await page.waitForFunction(() => document.getElementById("room")?.dataset.joined === "true");
}

export async function say(page: Page, text: string) {
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.fill(text);
  await composer.press("Enter");
}

/** Cuts the page off: no network, and the server hangs up its sockets; the page says so. */
export async function dropConnection(server: TestServer, v: Visitor, username: string) {
  const [user] = await server.sql<{ id: string }[]>`select id from users where username = ${username}`;
  await v.context.setOffline(true);
  server.io.in(userRoom(user!.id)).disconnectSockets(true);
  await v.page.getByRole("status").filter({ hasText: "Reconnecting…" }).waitFor();
}

const AXE_SOURCE = await Bun.file(require.resolve("axe-core/axe.min.js")).text();

/** What axe-core finds against WCAG 2.2 A and AA on the page as it is now. */
export async function accessibilityViolations(page: Page) {
  await page.evaluate(AXE_SOURCE); // through the DevTools protocol: the page's CSP still forbids inline scripts
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe.run({
      runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }),
  );
  return result.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target) }));
}
