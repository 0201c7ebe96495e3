// End to end in headless Chromium: the room page reads like a conversation. Days begin in the
// reader's time zone and one person's messages group under one name, live too.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { api, createRoom, people, startServer, stopServer, type Person, type TestServer } from "../harness";
import { launchChromium, say, visitor, waitUntilLive, TEST_MS, WAIT_MS, type Visitor } from "./chromium";

let server: TestServer;
let browser: Browser;
let alice: Person, bob: Person;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  [alice, bob] = await people(server, "alice", "bob");
}, TEST_MS);
afterAll(async () => {
  await browser?.close();
  await stopServer(server);
}, TEST_MS);

/** A person's browser, signed in with their token (the session cookie is the API's token), in US English. */
async function browserOf(person: Person, options: BrowserContextOptions = {}): Promise<Visitor> {
  const v = await visitor(browser, server, { locale: "en-US", ...options });
  await v.context.addCookies([{ name: "chatloop_session", value: person.token, url: server.base }]);
  return v;
}

async function openRoom(v: Visitor, roomId: string): Promise<void> {
  await v.page.goto(`/chat/rooms/${roomId}`);
  await waitUntilLive(v.page);
}

async function send(person: Person, roomId: string, content: string, at?: Date) {
  const sent = (await api(server, "POST", "/messages", { roomId, content }, person.token)).body;
  if (at) await server.sql`update messages set created_at = ${at} where id = ${sent.id}`;
  return sent as { id: string; seq: number };
}

/** The log as the reader sees it: day separators, the divider, and each message as "name: text", "+" when grouped. */
function outline(page: Page): Promise<string[]> {
  return page.$$eval("#messages > li:not(.older-messages)", (items) =>
    items.map((item) => {
      const li = item as HTMLElement;
      if (li.classList.contains("day-separator")) return `-- ${li.textContent} --`;
      if (li.id === "unread-divider") return "-- New messages --";
      const text = `${li.querySelector(".message-author")!.textContent}: ${li.querySelector(".message-text")!.textContent}`;
      return li.dataset.grouped === "true" ? `+${text}` : text;
    }),
  );
}

/** Waits until the log reads as expected; fails with what it read last. */
async function expectOutline(page: Page, expected: string[]): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (let seen = await outline(page); JSON.stringify(seen) !== JSON.stringify(expected); seen = await outline(page)) {
    if (Date.now() > deadline) expect(seen).toEqual(expected);
    await page.waitForTimeout(50); // polling the DOM, bounded by the deadline above
  }
}

test("days begin in the reader's time zone, and one person's messages group under one name, live, edited and deleted", async () => {
  const room = await createRoom(server, alice, "days");
  await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
  // One day in UTC, two in Los Angeles: February 29 at 18:00 and 18:01, then March 1 at 01:00.
  await send(alice, room.id, "late on the 29th", new Date("2024-03-01T02:00:00Z"));
  await send(alice, room.id, "a minute later", new Date("2024-03-01T02:01:00Z"));
  await send(alice, room.id, "after midnight", new Date("2024-03-01T09:00:00Z"));
  const reader = await browserOf(bob, { timezoneId: "America/Los_Angeles" });
  await openRoom(reader, room.id);
  const before = [
    "-- New messages --", // bob has read none of them
    "-- Thursday, February 29, 2024 --",
    "alice: late on the 29th",
    "+alice: a minute later",
    "-- Friday, March 1, 2024 --",
    "alice: after midnight",
  ];
  await expectOutline(reader.page, before);

  const first = await send(alice, room.id, "today, live");
  const second = await send(alice, room.id, "and again");
  await expectOutline(reader.page, [...before, "-- Today --", "alice: today, live", "+alice: and again"]);
  await say(reader.page, "bob here");
  await expectOutline(reader.page, [...before, "-- Today --", "alice: today, live", "+alice: and again", "bob: bob here"]);

  await api(server, "PATCH", `/messages/${second.id}`, { content: "and again, edited" }, alice.token);
  await api(server, "DELETE", `/messages/${first.id}`, undefined, alice.token);
  await expectOutline(reader.page, [...before, "-- Today --", "alice: This message was deleted", "+alice: and again, edited", "bob: bob here"]);
  // A grouped message shows no name, but says it; its time shows on hover.
  const grouped = reader.page.locator("#messages li.message", { hasText: "and again, edited" });
  expect((await grouped.locator(".message-author").boundingBox())!.width).toBeLessThanOrEqual(1); // sr-only
  const headOpacity = () => grouped.locator(".message-head").evaluate((head) => getComputedStyle(head).opacity);
  expect(await headOpacity()).toBe("0");
  await grouped.hover();
  expect(await headOpacity()).toBe("1");
  expect(reader.errors).toEqual([]);
}, TEST_MS);

test("an older page of history goes in above without a second separator for the same day, grouped across the seam", async () => {
  const room = await createRoom(server, alice, "seams");
  await server.sql`
    with room as (update rooms set last_seq = 55, last_rev = 55 where id = ${room.id} returning id, owner_id)
    insert into messages (room_id, seq, rev, sender_id, content)
    select room.id, n, n, room.owner_id, 'note ' || n from room, generate_series(1, 55) n`;
  await server.sql`update memberships set last_read_seq = 55 where room_id = ${room.id}`; // writing is reading
  const reader = await browserOf(alice);
  await openRoom(reader, room.id);
  const notes = (from: number) => Array.from({ length: 56 - from }, (_, i) => `${i === 0 ? "" : "+"}alice: note ${from + i}`);
  await expectOutline(reader.page, ["-- Today --", ...notes(6)]);
  await reader.page.locator("#message-log").evaluate((log) => (log.scrollTop = 0));
  await expectOutline(reader.page, ["-- Today --", ...notes(1)]);
}, TEST_MS);

test("your own presence dot is online from the first paint, before the page's socket connects", async () => {
  const room = await createRoom(server, alice, "here already");
  const reader = await browserOf(alice);
  await reader.page.route("**/socket.io/**", (route) => route.abort()); // the socket never connects
  await reader.page.goto(`/chat/rooms/${room.id}`);
  const own = reader.page.locator("#members li", { hasText: "alice" });
  expect(await own.getAttribute("data-online")).toBe("true");
  expect(await own.textContent()).toContain(", online");
  await reader.context.close();
}, TEST_MS);
