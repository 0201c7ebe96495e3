// End to end in headless Chromium: the sidebar follows what happens in your conversations live,
// in every tab: a direct message someone starts from the people search, a mention, reading in
// another tab, the count in the title; and a message reaches a hidden page as a system
// notification, which opens its room.
import { expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { api, signUp, type TestServer } from "../harness";
import { createRoomThroughForm, registerThroughForm, say, TEST_MS, type Visitor, visitor, waitUntilLive, withServerAndBrowser } from "./chromium";

let server: TestServer;
let browser: Browser;

withServerAndBrowser((started, launched) => {
  [server, browser] = [started, launched];
});

/** Calls of the page's Notification constructor, with the notifications made: the real ones, shown as Chromium shows them. */
interface Shown {
  title: string;
  options: NotificationOptions;
}
declare global {
  interface Window {
    shownNotifications: { title: string; options: NotificationOptions; notification: Notification }[];
    chatLoopSocket?: { connected: boolean };
  }
}

/** Records every notification the page makes, before any of its scripts run. */
function recordNotifications() {
  window.shownNotifications = [];
  window.Notification = new Proxy(Notification, {
    construct(target, args: [string, NotificationOptions]) {
      const notification = Reflect.construct(target, args) as Notification;
      window.shownNotifications.push({ title: args[0], options: args[1], notification });
      return notification;
    },
  });
}

/** Headless Chromium shows every page; this one says it is hidden, as a tab in the background does. */
function hidePage() {
  Object.defineProperty(Document.prototype, "visibilityState", { get: () => "hidden" });
}

const shown = (page: Page): Promise<Shown[]> => page.evaluate(() => window.shownNotifications.map(({ title, options }) => ({ title, options })));

/** The sidebar's link to a conversation, once it shows these counts (0: no badge). */
async function conversation(page: Page, name: string, counts: { unread: number; mentions: number }) {
  const link = page.locator("#sidebar a.conversation", { hasText: name });
  await link.and(page.locator(`[data-unread="${counts.unread}"][data-mentions="${counts.mentions}"]`)).waitFor();
  expect(await link.locator(".unread-badge").isVisible()).toBe(counts.unread > 0);
  expect(await link.locator(".mention-badge").isVisible()).toBe(counts.mentions > 0);
  return link;
}

const titled = (page: Page, title: string) => page.waitForFunction((title) => document.title === title, title);

test(
  "the sidebar follows a direct message, a mention and reading in another tab, live in every tab; a hidden tab shows a notification that opens the room",
  async () => {
    const bob = await visitor(browser, server);
    await registerThroughForm(bob.page, "bob");
    const alice: Visitor = await visitor(browser, server, { permissions: ["notifications"] });
    await alice.context.addInitScript(recordNotifications);
    await registerThroughForm(alice.page, "alice");
    const roomPath = await createRoomThroughForm(bob.page, "watercooler");
    await alice.page.goto(roomPath);
    await alice.page.getByRole("button", { name: "Join this room to write" }).click();
    await waitUntilLive(alice.page);

    // Tab 1 is at home, in sight; tab 2 is at home in the background.
    const tab1 = alice.page;
    await tab1.goto("/");
    const tab2 = await alice.context.newPage();
    const tab2Errors: string[] = [];
    tab2.on("pageerror", (error) => tab2Errors.push(error.message));
    await tab2.addInitScript(hidePage);
    await tab2.goto("/");
    for (const tab of [tab1, tab2]) {
      await conversation(tab, "watercooler", { unread: 0, mentions: 0 });
      await tab.waitForFunction(() => window.chatLoopSocket?.connected);
    }
    expect(await tab2.evaluate(() => [document.visibilityState, Notification.permission])).toEqual(["hidden", "granted"]);

    // Bob finds alice in the people search as he types, and messages her.
    await bob.page.getByRole("link", { name: "New message" }).click();
    await bob.page.getByLabel("Find someone by username").pressSequentially("ali");
    await bob.page.getByRole("status").filter({ hasText: "1 person found for “ali”." }).waitFor();
    await bob.page.getByRole("button", { name: "Message alice" }).click();
    await bob.page.waitForURL(/\/chat\/rooms\//);
    const directPath = new URL(bob.page.url()).pathname;
    await waitUntilLive(bob.page);
    expect(await bob.page.locator("#sidebar a.conversation[aria-current=page]").textContent()).toContain("alice");
    await say(bob.page, "hi alice, got a minute?");

    // A conversation neither of alice's tabs listed appears in both, unread.
    for (const tab of [tab1, tab2]) {
      expect(await (await conversation(tab, "bob", { unread: 1, mentions: 0 })).getAttribute("href")).toBe(directPath);
      await titled(tab, "(1) Rooms · ChatLoop");
    }
    await tab2.waitForFunction(() => window.shownNotifications.length === 1);
    expect(await shown(tab2)).toEqual([{ title: "bob", options: { body: "hi alice, got a minute?", tag: directPath.split("/").at(-1) } }]);

    // A mention in a room has a badge of its own.
    await bob.page.goto(roomPath);
    await waitUntilLive(bob.page);
    await say(bob.page, "@alice the standup moved to 10");
    for (const tab of [tab1, tab2]) {
      await conversation(tab, "watercooler", { unread: 1, mentions: 1 });
      await titled(tab, "(2) Rooms · ChatLoop");
    }
    await tab2.waitForFunction(() => window.shownNotifications.length === 2);
    expect((await shown(tab2))[1]).toEqual({ title: "bob in watercooler", options: { body: "@alice the standup moved to 10", tag: roomPath.split("/").at(-1) } });

    // Alice reads the direct message in tab 1; tab 2 hears of it. (Her read marker is moved through
    // the API, as the room page does, so that this test does not hang on when the room page does it.)
    await tab1.getByRole("link", { name: /bob/ }).click();
    await tab1.waitForURL((url) => url.pathname === directPath);
    await waitUntilLive(tab1);
    expect(await tab1.locator("#sidebar a.conversation[aria-current=page]").textContent()).toContain("bob");
    await tab1.evaluate(
      (roomId) => fetch(`/rooms/${roomId}/read`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seq: 1 }) }),
      directPath.split("/").at(-1),
    );
    await conversation(tab2, "bob", { unread: 0, mentions: 0 });
    await titled(tab2, "(1) Rooms · ChatLoop");
    await conversation(tab1, "bob", { unread: 0, mentions: 0 });
    expect(await tab1.title()).toMatch(/^\(1\) bob · ChatLoop$/);

    // Clicking the room's notification opens the room.
    await tab2.evaluate(() => window.shownNotifications[1]!.notification.dispatchEvent(new Event("click")));
    await tab2.waitForURL((url) => url.pathname === roomPath);

    // In sight, a message makes no notification.
    expect(await shown(tab1)).toEqual([]);
    for (const v of [alice, bob]) expect(v.errors).toEqual([]);
    expect(tab2Errors).toEqual([]);
  },
  TEST_MS,
);

test(
  "on a phone the sidebar is a toggle in the header, closed in a room and open at home, with the total unread on it",
  async () => {
    const carol = await visitor(browser, server, { viewport: { width: 360, height: 740 } });
    await registerThroughForm(carol.page, "carol");
    const { page } = carol;
    const toggle = page.getByRole("button", { name: /^Conversations/ });
    const sidebar = page.getByRole("navigation", { name: "Conversations" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    expect(await sidebar.isVisible()).toBe(true);

    const roomPath = await createRoomThroughForm(page, "pocket room");
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await sidebar.isVisible()).toBe(false);
    await toggle.focus();
    await page.keyboard.press("Enter");
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    await sidebar.getByRole("link", { name: /pocket room/ }).waitFor();
    expect(await sidebar.getByRole("link", { name: /pocket room/ }).getAttribute("aria-current")).toBe("page");
    await page.keyboard.press("Enter");
    expect(await sidebar.isVisible()).toBe(false);
    expect(new URL(page.url()).pathname).toBe(roomPath);

    // Closed, the toggle still says something is waiting: a direct message arrives.
    await page.waitForFunction(() => window.chatLoopSocket?.connected);
    const dan = await signUp(server, "dan");
    const direct = await api(server, "POST", "/dms", { username: "carol" }, dan.token);
    await api(server, "POST", "/messages", { roomId: direct.body.id, content: "lunch?" }, dan.token);
    await toggle.locator(".unread-badge", { hasText: "1" }).waitFor();
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await toggle.textContent()).toMatch(/^\s*Conversations\s*, unread: 1\s*$/);
    expect(carol.errors).toEqual([]);
  },
  TEST_MS,
);
