// End to end in headless Chromium: people in separate browser contexts chat live, private
// rooms stay private, hostile text stays text, and a dropped connection catches up exactly.
import { expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { api, type Person, signUp, type TestServer } from "../harness";
import {
  createRoomThroughForm,
  dropConnection as dropConnectionOf,
  registerThroughForm,
  say,
  shownMessages,
  TEST_MS,
  type Visitor,
  visitor,
  waitForMessages,
  waitUntilLive,
  withServerAndBrowser,
} from "./chromium";

let server: TestServer;
let browser: Browser;
const visitors: Visitor[] = [];

withServerAndBrowser((started, launched) => {
  [server, browser] = [started, launched];
});

async function person(name: string): Promise<Visitor> {
  const v = await visitor(browser, server);
  visitors.push(v);
  await registerThroughForm(v.page, name);
  return v;
}

const dropConnection = (v: Visitor, username: string) => dropConnectionOf(server, v, username);
const texts = (messages: { text: string }[]) => messages.map((m) => m.text);
const storedInOrder = (messages: { seq: string | undefined; pending: boolean }[]) => messages.every((m, i) => !m.pending && Number(m.seq) === Number(messages[0]!.seq) + i);

test(
  "two people register, create and join a room, and chat both ways live",
  async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const roomPath = await createRoomThroughForm(alice.page, "watercooler");

    await bob.page.goto("/");
    await bob.page.getByRole("button", { name: "Join watercooler" }).click();
    await bob.page.waitForURL((url) => url.pathname === roomPath);
    await waitUntilLive(bob.page);

    await say(alice.page, "hello bob");
    await waitForMessages(bob.page, (m) => texts(m).includes("hello bob"));
    await say(bob.page, "hi alice, https://example.com/docs");
    const composer = bob.page.getByRole("textbox", { name: "Message" });
    await composer.press("Enter"); // an empty composer sends nothing
    await composer.type("line one");
    await composer.press("Shift+Enter");
    await composer.type("line two");
    await composer.press("Enter");

    const expected = ["hello bob", "hi alice, https://example.com/docs", "line one\nline two"];
    for (const v of [alice, bob]) {
      const messages = await waitForMessages(v.page, (m) => texts(m).length === 3 && storedInOrder(m));
      expect(texts(messages)).toEqual(expected);
      expect(messages.map((m) => m.seq)).toEqual(["1", "2", "3"]);
    }
    expect(await bob.page.evaluate(() => document.activeElement?.id)).toBe("composer-text");
    const link = alice.page.getByRole("link", { name: "https://example.com/docs" });
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    expect(await link.getAttribute("target")).toBe("_blank");
    // Times are shown in the reader's local time, not the server's UTC fallback.
    expect(await alice.page.locator("#messages time").first().textContent()).not.toContain("UTC");

    for (const v of [alice, bob]) {
      expect(v.foreignRequests).toEqual([]);
      expect(v.errors).toEqual([]);
    }
  },
  TEST_MS,
);

test(
  "a private room is invisible to someone not invited, until they are",
  async () => {
    const carol = await person("carol");
    const dave = await person("dave");
    const roomPath = await createRoomThroughForm(carol.page, "carol's den", true);

    await dave.page.goto("/");
    expect(await dave.page.locator("main").textContent()).not.toContain("carol's den");
    const refused = await dave.page.goto(roomPath);
    expect(refused?.status()).toBe(404);

    await carol.page.getByLabel("Invite someone by username").fill("dave");
    await carol.page.getByRole("button", { name: "Invite" }).click();
    await carol.page.locator("#members", { hasText: "Members (2)" }).waitFor();

    await dave.page.goto("/");
    await dave.page.getByRole("link", { name: "carol's den" }).click();
    await dave.page.waitForURL((url) => url.pathname === roomPath);
    await waitUntilLive(dave.page);
    await say(dave.page, "thanks for the invite");
    await waitForMessages(carol.page, (m) => texts(m).includes("thanks for the invite"));
  },
  TEST_MS,
);

test(
  "a message with markup and htmx attributes shows as text and triggers no request",
  async () => {
    const erin = await person("erin");
    const frank = await person("frank");
    const roomPath = await createRoomThroughForm(erin.page, "hostile");
    await frank.page.goto(roomPath);
    await frank.page.getByRole("button", { name: "Join this room to write" }).click();
    await waitUntilLive(frank.page);

    const probes: string[] = [];
    for (const v of [erin, frank]) v.page.on("request", (r) => r.url().includes("probe") && probes.push(r.url()));
    const hostile =
      `<script>document.title="pwned"</script><img src="/probe-img" onerror="document.title='pwned'">` +
      `<b hx-get="/probe-hx" hx-trigger="load">bold</b><i hx-on:htmx:load="document.title='pwned'">x</i>`;
    await say(erin.page, hostile);

    for (const v of [erin, frank]) {
      const messages = await waitForMessages(v.page, (m) => m.length === 1 && !m[0]!.pending);
      expect(texts(messages)).toEqual([hostile]);
    }
    await frank.page.reload(); // and once more from the history, rendered by the page
    await waitUntilLive(frank.page);
    expect(texts(await shownMessages(frank.page))).toEqual([hostile]);
    for (const v of [erin, frank]) {
      // The sender's avatar is the one image a message has of its own.
      expect(await v.page.locator("#messages img:not(.avatar), #messages script, #messages b, #messages i").count()).toBe(0);
      expect(await v.page.title()).not.toContain("pwned");
    }
    expect(probes).toEqual([]);
  },
  TEST_MS,
);

test(
  "a dropped connection shows it is reconnecting, then catches up exactly: nothing missing, nothing doubled",
  async () => {
    const grace = await person("grace");
    const roomPath = await createRoomThroughForm(grace.page, "flaky network");
    const henry: Person = await signUp(server, "henry");
    const roomId = roomPath.split("/").at(-1)!;
    await api(server, "POST", `/rooms/${roomId}/join`, undefined, henry.token);
    const send = (content: string) => api(server, "POST", "/messages", { roomId, content }, henry.token);
    await send("before the drop");
    await waitForMessages(grace.page, (m) => m.length === 1);

    await dropConnection(grace, "grace");

    for (let i = 1; i <= 5; i++) await send(`while away ${i}`);
    await say(grace.page, "sent while offline"); // pending until the reconnect re-sends it
    await grace.context.setOffline(false);
    await send("after the drop");

    const messages = await waitForMessages(grace.page, (m) => m.length === 8 && storedInOrder(m));
    expect(messages.map((m) => m.seq)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8"]);
    expect(new Set(texts(messages)).size).toBe(8);
    expect(texts(messages).slice(0, 6)).toEqual(["before the drop", ...[1, 2, 3, 4, 5].map((i) => `while away ${i}`)]);
    expect(texts(messages).toSorted()).toContain("sent while offline");
    await grace.page.waitForFunction(() => document.getElementById("connection-status")?.textContent === "");
    const stored = await api(server, "GET", `/messages/${roomId}`, undefined, henry.token);
    expect(stored.body.map((m: { content: string }) => m.content)).toEqual(texts(messages));
  },
  TEST_MS,
);

test(
  "a page too far behind after a drop loads the newest history over HTTP, then follows live again",
  async () => {
    const jack = await person("jack");
    const roomPath = await createRoomThroughForm(jack.page, "busy room");
    const roomId = roomPath.split("/").at(-1)!;
    const kate = await signUp(server, "kate");
    await api(server, "POST", `/rooms/${roomId}/join`, undefined, kate.token);
    await api(server, "POST", "/messages", { roomId, content: "first" }, kate.token);
    await waitForMessages(jack.page, (m) => m.length === 1);
    await jack.page.waitForFunction(() => document.getElementById("room")?.dataset.lastReadSeq === "1"); // read before the drop

    await dropConnection(jack, "jack");
    await server.sql`
    with room as (update rooms set last_seq = 1002, last_rev = 1002 where id = ${roomId} returning id, owner_id)
    insert into messages (room_id, seq, rev, sender_id, content)
    select room.id, n, n, room.owner_id, 'busy ' || n from room, generate_series(2, 1002) n`;
    await server.sql`update memberships set last_read_seq = 1002 where room_id = ${roomId} and user_id = (select owner_id from rooms where id = ${roomId})`; // writing is reading
    await jack.context.setOffline(false);

    const newest = await waitForMessages(jack.page, (m) => m.at(-1)?.seq === "1002");
    expect(newest.map((m) => Number(m.seq))).toEqual(Array.from({ length: 50 }, (_, i) => 953 + i)); // the newest page
    await jack.page.waitForFunction(() => document.getElementById("room")?.dataset.joined === "true");
    await api(server, "POST", "/messages", { roomId, content: "live again" }, kate.token);
    const after = await waitForMessages(jack.page, (m) => m.at(-1)?.text === "live again");
    expect(after.map((m) => Number(m.seq))).toEqual(Array.from({ length: after.length }, (_, i) => 1004 - after.length + i));
  },
  TEST_MS,
);

test(
  "each scroll to the top loads one older page, and the message that was at the top stays where it was",
  async () => {
    const ivy = await person("ivy");
    const roomPath = await createRoomThroughForm(ivy.page, "long history");
    const roomId = roomPath.split("/").at(-1)!;
    await server.sql`
    with room as (update rooms set last_seq = 300, last_rev = 300 where id = ${roomId} returning id, owner_id)
    insert into messages (room_id, seq, rev, sender_id, content)
    select room.id, n, n, room.owner_id, 'old ' || n from room, generate_series(1, 300) n`;
    await server.sql`update memberships set last_read_seq = 300 where room_id = ${roomId}`; // writing is reading
    const olderPagesAsked: string[] = [];
    ivy.page.on("request", (request) => {
      const before = new URL(request.url()).searchParams.get("before");
      if (before !== null) olderPagesAsked.push(before);
    });
    await ivy.page.reload();
    await waitUntilLive(ivy.page);
    const seqs = (messages: { seq: string | undefined }[]) => messages.map((m) => Number(m.seq));
    const upTo300 = (first: number) => Array.from({ length: 301 - first }, (_, i) => first + i);
    expect(seqs(await shownMessages(ivy.page))).toEqual(upTo300(251));

    const log = ivy.page.locator("#message-log");
    /** Where the message is on screen: its distance from the top of the viewport. */
    const screenY = (seq: string) => log.evaluate((el, seq) => el.querySelector(`li[data-seq="${seq}"]`)!.getBoundingClientRect().top, seq);
    const asked: string[] = [];
    for (const [before, firstShown] of [
      ["251", 201],
      ["201", 151],
    ] as const) {
      // Scrolls to the top and reads the top message's place in the same turn, before any page can arrive.
      const top = await log.evaluate((el) => {
        el.scrollTop = 0;
        const first = el.querySelector<HTMLElement>("li.message")!;
        return { seq: first.dataset.seq!, y: first.getBoundingClientRect().top };
      });
      await waitForMessages(ivy.page, (m) => seqs(m)[0] === firstShown);
      await ivy.page.waitForTimeout(500); // a chained load would have asked by now (they came 40 ms apart)
      asked.push(before);
      expect(top.seq).toBe(before);
      expect(olderPagesAsked).toEqual(asked);
      expect(seqs(await shownMessages(ivy.page))).toEqual(upTo300(firstShown));
      expect(Math.abs((await screenY(top.seq)) - top.y)).toBeLessThan(1);
      // The older messages are hers, and the page marks them so (their Edit and Delete show).
      expect(await ivy.page.locator('#messages li.message:not([data-own="true"])').count()).toBe(0);
    }
  },
  TEST_MS,
);

test(
  "the list follows new messages while you are at the bottom, and stays put when you have scrolled up",
  async () => {
    const lena = await person("lena");
    const roomPath = await createRoomThroughForm(lena.page, "scrolling");
    const roomId = roomPath.split("/").at(-1)!;
    const mike = await signUp(server, "mike");
    await api(server, "POST", `/rooms/${roomId}/join`, undefined, mike.token);
    const send = (content: string) => api(server, "POST", "/messages", { roomId, content }, mike.token);
    for (let i = 1; i <= 30; i++) await send(`filler ${i}`);
    await waitForMessages(lena.page, (m) => m.length === 30);

    const log = lena.page.locator("#message-log");
    const distanceFromBottom = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    expect(await distanceFromBottom()).toBeLessThan(2);
    await send("seen at the bottom");
    await waitForMessages(lena.page, (m) => m.at(-1)?.text === "seen at the bottom");
    expect(await distanceFromBottom()).toBeLessThan(2);

    await log.evaluate((el) => (el.scrollTop = 100));
    await send("arrives below");
    await waitForMessages(lena.page, (m) => m.at(-1)?.text === "arrives below");
    expect(await log.evaluate((el) => el.scrollTop)).toBe(100);
  },
  TEST_MS,
);

test(
  "the members panel shows who is online, live: someone arriving, someone new to the room, someone leaving",
  async () => {
    const nina = await person("nina");
    const omar = await person("omar");
    const roomPath = await createRoomThroughForm(nina.page, "who is here");
    const roomId = roomPath.split("/").at(-1)!;
    const panel = nina.page.locator("#members");
    const row = (name: string) => panel.locator("li", { hasText: name });

    await row("nina").and(nina.page.locator('[data-online="true"]')).waitFor();
    await api(server, "POST", `/rooms/${roomId}/join`, undefined, (await signUp(server, "pia")).token); // a member with no page open
    await omar.page.goto(roomPath);
    await omar.page.getByRole("button", { name: "Join" }).click();
    await waitUntilLive(omar.page);
    // omar was not in the panel nina's page got: it asks for the panel again and shows him online.
    await row("omar").and(nina.page.locator('[data-online="true"]')).waitFor();
    await panel.filter({ hasText: "Members (3)" }).waitFor();
    expect(await row("pia").getAttribute("data-online")).toBe("false");
    expect(await row("omar").textContent()).toContain(", online");

    await omar.page.goto("/");
    await row("omar").and(nina.page.locator('[data-online="false"]')).waitFor();
    expect(await row("omar").textContent()).toContain(", offline");
    expect(nina.errors).toEqual([]);
  },
  TEST_MS,
);
