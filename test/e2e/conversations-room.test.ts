// End to end in headless Chromium: the room page reads like a conversation. Days begin in the
// reader's time zone and one person's messages group under one name, live too; a room opens at
// what is new, reading it clears it, and Mark unread brings it back (in the reader's other tabs
// too); in a direct room, "Seen" tells you the other person has read your message.
import { expect, test } from "bun:test";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { api, createRoom, type Person, people, type TestServer } from "../harness";
import { say, TEST_MS, type Visitor, visitor, WAIT_MS, waitUntilLive, withServerAndBrowser } from "./chromium";

let server: TestServer;
let browser: Browser;
let alice: Person, bob: Person;

withServerAndBrowser(async (started, launched) => {
  [server, browser] = [started, launched];
  [alice, bob] = await people(server, "alice", "bob");
});

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

/** The room as GET /rooms lists it for the person: their marker and counts. */
async function listed(person: Person, roomId: string): Promise<{ lastReadSeq: number; unreadCount: number; notify: string }> {
  return (await api(server, "GET", "/rooms", undefined, person.token)).body.find((r: { id: string }) => r.id === roomId);
}

/** Waits until `check` holds; fails with what it saw last. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (let value = await read(); ; value = await read()) {
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`never happened; last seen: ${JSON.stringify(value)}`);
    await Bun.sleep(50); // polling, bounded by the deadline above
  }
}

/** Waits until the log reads as expected; fails with what it read last. */
async function expectOutline(page: Page, expected: string[]): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (let seen = await outline(page); JSON.stringify(seen) !== JSON.stringify(expected); seen = await outline(page)) {
    if (Date.now() > deadline) expect(seen).toEqual(expected);
    await page.waitForTimeout(50); // polling the DOM, bounded by the deadline above
  }
}

test(
  "days begin in the reader's time zone, and one person's messages group under one name, live, edited and deleted",
  async () => {
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
  },
  TEST_MS,
);

test(
  "an older page of history goes in above without a second separator for the same day, grouped across the seam",
  async () => {
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
  },
  TEST_MS,
);

test(
  "your own presence dot is online from the first paint, before the page's socket connects",
  async () => {
    const room = await createRoom(server, alice, "here already");
    const reader = await browserOf(alice);
    await reader.page.route("**/socket.io/**", (route) => route.abort()); // the socket never connects
    await reader.page.goto(`/chat/rooms/${room.id}`);
    const own = reader.page.locator("#members li", { hasText: "alice" });
    expect(await own.getAttribute("data-online")).toBe("true");
    expect(await own.textContent()).toContain(", online");
    await reader.context.close();
  },
  TEST_MS,
);

test(
  "a room opens at the 'New messages' divider, not the bottom; reading what is on screen moves the marker, and reading to the end clears it",
  async () => {
    const room = await createRoom(server, alice, "catching up");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    for (let i = 1; i <= 100; i++) await send(alice, room.id, `update ${i}`);
    await api(server, "POST", `/rooms/${room.id}/read`, { seq: 20 }, bob.token);
    const reader = await browserOf(bob);
    await openRoom(reader, room.id);

    const log = reader.page.locator("#message-log");
    const where = () =>
      log.evaluate((el) => ({
        divider: document.getElementById("unread-divider")!.getBoundingClientRect().top - el.getBoundingClientRect().top,
        fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight,
        height: el.clientHeight,
      }));
    const opened = await where();
    expect(opened.divider).toBeGreaterThan(0); // on screen, a little below the top: what came before shows above it
    expect(opened.divider).toBeLessThan(opened.height / 2);
    expect(opened.fromBottom).toBeGreaterThan(opened.height); // far from the bottom
    expect(await reader.page.locator("#unread-divider + li.message").getAttribute("data-seq")).toBe("21");

    // What is on screen is read, and no more.
    const partly = await eventually(
      () => listed(bob, room.id),
      (r) => r.lastReadSeq > 20,
    );
    expect(partly.unreadCount).toBeGreaterThan(0);
    await log.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await eventually(
      () => listed(bob, room.id),
      (r) => r.lastReadSeq === 100 && r.unreadCount === 0,
    );
    expect(await reader.page.locator("#unread-divider").count()).toBe(1); // the divider stays while the page is open

    // A message that arrives while the reader is at the bottom, looking, is read too; no new divider comes with it.
    await send(alice, room.id, "one more thing");
    await eventually(
      () => listed(bob, room.id),
      (r) => r.lastReadSeq === 101 && r.unreadCount === 0,
    );
    expect(await reader.page.locator("#unread-divider").count()).toBe(1);
    expect(reader.errors).toEqual([]);
    await reader.context.close();
  },
  TEST_MS,
);

test(
  "Mark unread (by keyboard) moves the marker and the divider back; the reader's other tab hears it, and this page does not read it again",
  async () => {
    const room = await createRoom(server, alice, "later");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    for (const text of ["the plan", "step one", "step two"]) await send(alice, room.id, text);
    const reader = await browserOf(bob);
    await openRoom(reader, room.id);
    await eventually(
      () => listed(bob, room.id),
      (r) => r.unreadCount === 0,
    );
    const otherTab = await reader.context.newPage();
    await otherTab.goto(`/chat/rooms/${room.id}`);
    await waitUntilLive(otherTab);
    expect(await otherTab.locator("#room").getAttribute("data-last-read-seq")).toBe("3");

    await reader.page.locator("#messages li.message", { hasText: "step one" }).getByRole("button", { name: "Mark unread" }).focus();
    await reader.page.keyboard.press("Enter");
    await eventually(
      () => listed(bob, room.id),
      (r) => r.lastReadSeq === 1 && r.unreadCount === 2,
    );
    await otherTab.locator('#room[data-last-read-seq="1"]').waitFor();
    await otherTab.close(); // a tab in the background reads nothing; headless Chromium would count every page as looked at
    await expectOutline(reader.page, ["-- Today --", "alice: the plan", "-- New messages --", "alice: step one", "+alice: step two"]);
    // Still unread after a message of alice's comes and is seen: the reader said "not yet".
    await send(alice, room.id, "step three");
    await expectOutline(reader.page, ["-- Today --", "alice: the plan", "-- New messages --", "alice: step one", "+alice: step two", "+alice: step three"]);
    expect((await listed(bob, room.id)).unreadCount).toBe(3);
    // Writing in the room is reading it.
    await say(reader.page, "on it");
    await eventually(
      () => listed(bob, room.id),
      (r) => r.lastReadSeq === 5 && r.unreadCount === 0,
    );
    expect(reader.errors).toEqual([]);
    await reader.context.close();
  },
  TEST_MS,
);

test(
  "in a direct room, 'Seen' appears under alice's message when bob reads it in his browser",
  async () => {
    const direct = (await api(server, "POST", "/dms", { username: "bob" }, alice.token)).body;
    const writer = await browserOf(alice);
    await openRoom(writer, direct.id);
    expect(await writer.page.getByRole("heading", { level: 1 }).textContent()).toBe("bob (direct message)");
    await say(writer.page, "lunch at noon?");
    const mine = writer.page.locator("#messages li.message", { hasText: "lunch at noon?" });
    await mine.and(writer.page.locator("[data-seq]")).waitFor();
    expect(await writer.page.locator(".seen-receipt").count()).toBe(0);

    const reader = await browserOf(bob);
    await openRoom(reader, direct.id);
    await mine.locator(".seen-receipt", { hasText: "Seen" }).waitFor();
    // It moves to her next message once he has read that too, and stays through an edit.
    await say(writer.page, "or one?");
    const next = writer.page.locator("#messages li.message", { hasText: "or one?" });
    await next.locator(".seen-receipt").waitFor();
    expect(await writer.page.locator(".seen-receipt").count()).toBe(1);
    await next.hover();
    await next.getByRole("button", { name: "Edit" }).click();
    await next.getByRole("textbox", { name: "Edit your message" }).fill("or at one?");
    await next.getByRole("textbox", { name: "Edit your message" }).press("Enter");
    await writer.page.locator("#messages li.message", { hasText: "or at one?" }).getByText("(edited)").waitFor();
    expect(await writer.page.locator("#messages li.message", { hasText: "or at one?" }).locator(".seen-receipt").count()).toBe(1);
    for (const v of [writer, reader]) expect(v.errors).toEqual([]);
    await writer.context.close();
    await reader.context.close();
  },
  TEST_MS,
);

test(
  "the notification menu sets the room's level as it is chosen, and shows it after a reload",
  async () => {
    const room = await createRoom(server, alice, "quiet please");
    const reader = await browserOf(alice);
    await openRoom(reader, room.id);
    const menu = reader.page.getByLabel("Notify me of");
    expect(await menu.inputValue()).toBe("mentions");
    await menu.focus();
    await menu.selectOption("none");
    await eventually(
      () => listed(alice, room.id),
      (r) => r.notify === "none",
    );
    expect(await reader.page.evaluate(() => document.activeElement?.id)).toBe("notify-level"); // the keyboard keeps its place
    await reader.page.reload();
    expect(await reader.page.getByLabel("Notify me of").inputValue()).toBe("none");
    expect(reader.errors).toEqual([]);
    await reader.context.close();
  },
  TEST_MS,
);

test(
  "the Message button by a member in the members panel opens the direct room with them",
  async () => {
    const room = await createRoom(server, alice, "say it privately");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const v = await browserOf(bob);
    await openRoom(v, room.id);
    expect(await v.page.locator("#members").getByRole("button", { name: "Message bob" }).count()).toBe(0); // not himself
    await v.page.locator("#members").getByRole("button", { name: "Message alice" }).click();
    await v.page.waitForURL((url) => url.pathname !== `/chat/rooms/${room.id}`);
    await waitUntilLive(v.page);
    expect(await v.page.getByRole("heading", { level: 1 }).textContent()).toBe("alice (direct message)");
    expect(
      await v.page
        .locator("#members")
        .getByRole("button", { name: /^Message/ })
        .count(),
    ).toBe(0);
    expect(await v.page.getByRole("button", { name: "Leave room" }).count()).toBe(0);
    expect(v.errors).toEqual([]);
    await v.context.close();
  },
  TEST_MS,
);
