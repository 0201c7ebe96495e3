// How the pages look and who can use them: axe-core finds no WCAG A/AA violation in light
// and dark, on a phone and a wide screen; the keyboard alone can do the job. `npm run
// screenshots` runs it with SCREENSHOTS_DIR=docs/screenshots to take the README's pictures;
// `npm test` takes none, so that a test run changes no tracked file.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import sharp from "sharp";
import { api, signUp, startServer, stopServer, type TestServer } from "../harness";
import { accessibilityViolations, launchChromium, registerThroughForm, TEST_MS, visitor, waitForMessages } from "./chromium";

const SCREENSHOTS = process.env.SCREENSHOTS_DIR;

/** Takes a picture of the page for the README, when asked to (SCREENSHOTS_DIR). */
async function photograph(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 360, height: 740 } } as const;
const SCHEMES = ["light", "dark"] as const;

let server: TestServer;
let browser: Browser;
let storageState: BrowserContextOptions["storageState"];
let roomPath: string;
/** Where alice has something new: a room with a "New messages" divider, and a direct room with "Seen" in it. */
let unreadPaths: { roomId: string; readSeq: number }[];
let aliceToken: string;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  const alice = await visitor(browser, server);
  await registerThroughForm(alice.page, "alice");
  storageState = await alice.context.storageState();
  await alice.context.close();

  // A lived-in room: two people, a link, a long word, a few lines...
  const [aliceApi, bob] = [{ token: (await api(server, "POST", "/auth/login", { username: "alice", password: "correct horse battery" })).body.token }, await signUp(server, "bob")];
  const room = (await api(server, "POST", "/rooms", { name: "watercooler" }, aliceApi.token)).body;
  await api(server, "POST", "/rooms", { name: "design reviews", isPrivate: true }, aliceApi.token);
  await api(server, "POST", "/rooms", { name: "release planning" }, bob.token);
  await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
  // ...whose log has changed: a mention of alice (the viewer), a reply, reactions, an edit, a deletion.
  const say = async (token: string, content: string, replyToId?: string, roomId = room.id) =>
    (await api(server, "POST", "/messages", { roomId, content, ...(replyToId ? { replyToId } : {}) }, token)).body;
  const reactTo = (token: string, messageId: string, emoji: string) => api(server, "PUT", `/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`, undefined, token);
  const morning = await say(bob.token, "Morning @alice! Did the deploy go out?");
  const notes = await say(aliceApi.token, "It did. **Release notes**: https://example.com/releases/0.1", morning.id);
  await reactTo(bob.token, notes.id, "🎉");
  await reactTo(bob.token, notes.id, "👍");
  const things = await say(bob.token, "Nice.\nTwo things:\n- the docs page");
  await api(
    server,
    "PATCH",
    `/messages/${things.id}`,
    { content: "Nice.\nTwo things:\n- the docs page\n- the supercalifragilisticexpialidocious_configuration_flag_that_never_ends" },
    bob.token,
  );
  const list = await say(aliceApi.token, "Both on my list for today.");
  await reactTo(bob.token, list.id, "❤️");
  await reactTo(aliceApi.token, list.id, "👍");
  await say(aliceApi.token, "Starting with `docs/api.md`."); // grouped under the one before
  // ...a picture with its preview inline...
  const picture = await sharp({ create: { width: 960, height: 400, channels: 3, background: "#0ea5e9" } })
    .composite([{ input: Buffer.from('<svg width="960" height="400"><text x="60" y="220" font-size="96" font-family="sans-serif" fill="white">New header</text></svg>') }])
    .png()
    .toBuffer();
  const form = new FormData();
  form.append("file", new Blob([picture]), "header.png");
  const uploaded = await (await fetch(`${server.base}/rooms/${room.id}/uploads`, { method: "POST", body: form, headers: { authorization: `Bearer ${bob.token}` } })).json();
  await api(server, "POST", "/messages", { roomId: room.id, content: "The new header, for the docs:", attachmentIds: [uploaded.id] }, bob.token);
  const oops = await say(bob.token, "(pasted the wrong thing)");
  await api(server, "DELETE", `/messages/${oops.id}`, undefined, bob.token);
  // ...and a direct message from bob that alice has not read: the sidebar shows it unread.
  const direct = (await api(server, "POST", "/dms", { username: "alice" }, bob.token)).body;
  await api(server, "POST", "/messages", { roomId: direct.id, content: "Lunch at noon?" }, bob.token);
  roomPath = `/chat/rooms/${room.id}`;

  // bob's room, which alice joined before his last two messages; and her direct room with dana,
  // who has read alice's question and answered it.
  const planning = (await api(server, "GET", "/rooms", undefined, bob.token)).body.find((r: { name: string }) => r.name === "release planning");
  await say(bob.token, "Draft plan is up.", undefined, planning.id);
  await api(server, "POST", `/rooms/${planning.id}/join`, undefined, aliceApi.token);
  for (const text of ["Freeze on Thursday?", "And the release on Monday."]) await say(bob.token, text, undefined, planning.id);
  const dana = await signUp(server, "dana");
  const withDana = (await api(server, "POST", "/dms", { username: "dana" }, aliceApi.token)).body;
  const question = await say(aliceApi.token, "Are you around for the review?", undefined, withDana.id);
  await api(server, "POST", `/rooms/${withDana.id}/read`, { seq: question.seq }, dana.token);
  await say(dana.token, "Yes, after lunch.", undefined, withDana.id);
  unreadPaths = [
    { roomId: planning.id, readSeq: 1 },
    { roomId: withDana.id, readSeq: question.seq },
  ];
  aliceToken = aliceApi.token;
}, TEST_MS);
afterAll(async () => {
  await browser?.close();
  await stopServer(server);
}, TEST_MS);

test(
  "sign-in and register pages pass axe-core in light and dark",
  async () => {
    for (const colorScheme of SCHEMES) {
      const { page, context } = await visitor(browser, server, { colorScheme });
      for (const path of ["/signin", "/register"]) {
        await page.goto(path);
        expect(await accessibilityViolations(page)).toEqual([]);
      }
      await context.close();
    }
  },
  TEST_MS,
);

test(
  "home and room pass axe-core on a phone and a wide screen, light and dark, and are photographed for the README (npm run screenshots)",
  async () => {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      for (const colorScheme of SCHEMES) {
        const { page, context, errors, foreignRequests } = await visitor(browser, server, { colorScheme, viewport, storageState });
        await page.goto("/");
        expect(await accessibilityViolations(page)).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        await photograph(page, `home-${size}-${colorScheme}`);

        await page.goto(roomPath);
        await page.waitForFunction(() => document.getElementById("room")?.dataset.joined === "true");
        await waitForMessages(page, (m) => m.length === 7);
        await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("#messages .attachments img")].every((img) => img.complete && img.naturalWidth > 0));
        expect(await page.locator('#members li[data-online="true"]', { hasText: "alice" }).count()).toBe(1); // her own presence, from the first paint
        await page.locator("#messages li.message", { hasText: "Both on my list" }).hover(); // shows its actions
        expect(await accessibilityViolations(page)).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        await photograph(page, `room-${size}-${colorScheme}`);

        expect(errors).toEqual([]);
        expect(foreignRequests).toEqual([]);
        await context.close();
      }
    }
  },
  TEST_MS,
);

test(
  "search results and the admin page pass axe-core in light and dark, and are photographed",
  async () => {
    for (const colorScheme of SCHEMES) {
      const { page, context, errors } = await visitor(browser, server, { colorScheme, viewport: VIEWPORTS.desktop, storageState });
      await page.goto("/chat/search?q=docs");
      await page.locator("mark").first().waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);
      await photograph(page, `search-desktop-${colorScheme}`);

      await page.goto("/chat/admin");
      await page.getByRole("heading", { name: /People/ }).waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);
      await photograph(page, `admin-desktop-${colorScheme}`);
      expect(errors).toEqual([]);
      await context.close();
    }
  },
  TEST_MS,
);

test(
  "the people page, and the sidebar opened on a phone, pass axe-core in light and dark, and are photographed",
  async () => {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      for (const colorScheme of SCHEMES) {
        const { page, context, errors } = await visitor(browser, server, { colorScheme, viewport, storageState });
        await page.goto("/chat/people?query=o");
        await page.getByRole("button", { name: "Message bob" }).waitFor();
        expect(await accessibilityViolations(page)).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        await photograph(page, `people-${size}-${colorScheme}`);

        if (size === "phone") {
          await page.goto(roomPath);
          await page.getByRole("button", { name: /^Conversations/ }).click();
          await page.getByRole("navigation", { name: "Conversations" }).getByRole("link", { name: /bob/ }).waitFor();
          expect(await accessibilityViolations(page)).toEqual([]);
          await photograph(page, `sidebar-phone-${colorScheme}`);
        }
        expect(errors).toEqual([]);
        await context.close();
      }
    }
  },
  TEST_MS,
);

test(
  "a room with a 'New messages' divider and a direct room with 'Seen' pass axe-core on a phone and a wide screen, light and dark",
  async () => {
    for (const viewport of Object.values(VIEWPORTS)) {
      for (const colorScheme of SCHEMES) {
        const { page, context, errors } = await visitor(browser, server, { colorScheme, viewport, storageState });
        for (const { roomId, readSeq } of unreadPaths) {
          await api(server, "POST", `/rooms/${roomId}/read`, { seq: readSeq }, aliceToken); // unread again: the last visit read it
          await page.goto(`/chat/rooms/${roomId}`);
          await page.waitForFunction(() => document.getElementById("room")?.dataset.joined === "true");
          await page.locator("#unread-divider").waitFor();
          expect(await accessibilityViolations(page)).toEqual([]);
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        }
        await page.locator(".seen-receipt").waitFor(); // the direct room, last
        expect(errors).toEqual([]);
        await context.close();
      }
    }
  },
  TEST_MS,
);

test(
  "the reaction picker, the delete dialog and the @-completion list pass axe-core in light and dark",
  async () => {
    for (const colorScheme of SCHEMES) {
      const { page, context, errors } = await visitor(browser, server, { colorScheme, storageState });
      await page.goto(roomPath);
      await page.waitForFunction(() => document.getElementById("room")?.dataset.joined === "true");
      const own = page.locator("#messages li.message", { hasText: "Both on my list" });
      await own.hover();
      await own.getByText("React", { exact: true }).click();
      await own.getByRole("button", { name: "React with heart" }).waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");

      await own.getByRole("link", { name: "Delete" }).click();
      await page.getByRole("dialog", { name: "Delete this message?" }).waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");

      await page.getByRole("textbox", { name: "Message" }).pressSequentially("hi @b");
      await page.getByRole("option", { name: "@bob" }).waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    }
  },
  TEST_MS,
);

test(
  "the keyboard alone creates a room and sends a message",
  async () => {
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
  },
  TEST_MS,
);
