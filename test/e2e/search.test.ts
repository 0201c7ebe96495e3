// End to end in headless Chromium: a search from the header finds a message by part of an
// e-mail address, shows the match marked, and its permalink opens the room around it,
// highlighted and in view, with newer history loading as the reader scrolls down until the log
// meets the live end, where a new message arrives live.
import { expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { api, createRoom, signUp, type TestServer } from "../harness";
import { registerThroughForm, shownMessages, TEST_MS, visitor, waitForMessages, waitUntilLive, withServerAndBrowser } from "./chromium";

let server: TestServer;
let browser: Browser;

withServerAndBrowser((started, launched) => {
  [server, browser] = [started, launched];
});

const seqs = (messages: { seq: string | undefined }[]) => messages.map((m) => Number(m.seq));

test(
  "search from the header, then the result's permalink opens the room around the message; scrolling down loads newer history up to the live end",
  async () => {
    const bob = await signUp(server, "bob");
    const room = await createRoom(server, bob, "archive");
    const alice = await visitor(browser, server);
    await registerThroughForm(alice.page, "alice");
    await alice.page.goto(`/chat/rooms/${room.id}`);
    await alice.page.getByRole("button", { name: "Join this room to write" }).click();
    await waitUntilLive(alice.page);

    for (let seq = 1; seq <= 200; seq++) {
      const content = seq === 60 ? "write to bob.smith@example.com about the <b>budget</b>" : `filler message ${seq}`;
      expect((await api(server, "POST", "/messages", { roomId: room.id, content }, bob.token)).status).toBe(201);
    }

    await alice.page.goto("/");
    await alice.page.getByRole("searchbox", { name: "Search messages" }).fill("example.com");
    await alice.page.getByRole("searchbox", { name: "Search messages" }).press("Enter");
    await alice.page.waitForURL((url) => url.pathname === "/chat/search" && url.searchParams.get("q") === "example.com");
    const results = alice.page.locator("#search-results li");
    expect(await results.count()).toBe(1);
    expect(await results.locator("mark").allTextContents()).toEqual(["example.com"]);
    expect(await results.locator(".search-text").textContent()).toBe("write to bob.smith@example.com about the <b>budget</b>");

    await results.getByRole("link").click();
    await alice.page.waitForURL((url) => url.pathname === `/chat/rooms/${room.id}` && url.searchParams.get("seq") === "60");
    await waitUntilLive(alice.page);
    const linked = alice.page.locator('#messages li.message[data-linked="true"]');
    expect(await linked.getAttribute("data-seq")).toBe("60");
    expect(await linked.locator(".message-text").textContent()).toBe("write to bob.smith@example.com about the <b>budget</b>");
    const inView = await linked.evaluate((item) => {
      const [box, log] = [item.getBoundingClientRect(), document.getElementById("message-log")!.getBoundingClientRect()];
      return box.top >= log.top && box.bottom <= log.bottom;
    });
    expect(inView).toBe(true);
    // 25 before it and 25 after: older above, newer below, the live end not yet.
    expect(seqs(await shownMessages(alice.page))).toEqual(Array.from({ length: 51 }, (_, i) => 35 + i));
    expect(await alice.page.locator("li.newer-messages").count()).toBe(1);

    // A message sent now is not shown below the gap; it comes with the newer pages.
    expect((await api(server, "POST", "/messages", { roomId: room.id, content: "sent while alice reads history" }, bob.token)).status).toBe(201);

    // Scrolling to the bottom loads the next page each time, until the log meets the live end.
    const log = alice.page.locator("#message-log");
    const reachedEnd = waitForMessages(alice.page, (messages) => Number(messages.at(-1)?.seq) === 201);
    for (let i = 0; i < 6 && (await alice.page.locator("li.newer-messages").count()) > 0; i++) {
      const before = (await shownMessages(alice.page)).length;
      await log.evaluate((element) => (element.scrollTop = element.scrollHeight));
      await waitForMessages(alice.page, (messages) => messages.length > before);
    }
    await reachedEnd;
    expect(await alice.page.locator("li.newer-messages").count()).toBe(0);
    expect(seqs(await shownMessages(alice.page))).toEqual(Array.from({ length: 167 }, (_, i) => 35 + i));

    // At the live end, new messages arrive live again.
    expect((await api(server, "POST", "/messages", { roomId: room.id, content: "and now live" }, bob.token)).status).toBe(201);
    const live = await waitForMessages(alice.page, (messages) => messages.at(-1)?.text === "and now live");
    expect(seqs(live).slice(-3)).toEqual([200, 201, 202]);
    expect(alice.errors).toEqual([]);
    expect(alice.foreignRequests).toEqual([]);
  },
  TEST_MS,
);
