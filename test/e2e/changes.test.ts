// End to end in headless Chromium: what people do to messages (edit, delete, react, reply,
// mention), typing and removal, each asserted on the OTHER person's page, live and after a
// drop; and one action done with the keyboard alone.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { api, startServer, stopServer, type TestServer } from "../harness";
import { dropConnection, launchChromium, registerThroughForm, say, TEST_MS, type Visitor, visitor, waitForMessages, waitUntilLive } from "./chromium";

let server: TestServer;
let browser: Browser;
let alice: Visitor & { token: string; id: string };
let bob: Visitor & { token: string; id: string };
let roomId: string;

async function person(name: string) {
  const v = await visitor(browser, server);
  await registerThroughForm(v.page, name);
  const { token } = (await api(server, "POST", "/auth/login", { username: name, password: "correct horse battery" })).body;
  const [user] = await server.sql<{ id: string }[]>`select id from users where username = ${name}`;
  return { ...v, token, id: user!.id };
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  alice = await person("alice");
  bob = await person("bob");
}, TEST_MS);
afterAll(async () => {
  await browser?.close();
  await stopServer(server);
}, TEST_MS);

// Each test in a room of its own: alice owns it, bob is a member, both have it open.
let rooms = 0;
beforeEach(async () => {
  roomId = (await api(server, "POST", "/rooms", { name: `room ${++rooms}` }, alice.token)).body.id;
  await api(server, "POST", `/rooms/${roomId}/join`, undefined, bob.token);
  for (const v of [alice, bob]) {
    await v.page.goto(`/chat/rooms/${roomId}`);
    await waitUntilLive(v.page);
  }
}, TEST_MS);

const message = (page: Page, text: string) => page.locator("#messages li.message", { hasText: text });
const texts = (messages: { text: string }[]) => messages.map((m) => m.text);
/** Waits for the message to be stored (not pending) on both pages. */
async function sayAndSee(from: Visitor, text: string) {
  await say(from.page, text);
  for (const v of [alice, bob]) await waitForMessages(v.page, (m) => m.some((x) => x.text === text && !x.pending));
}

test(
  "alice edits her message in place; bob sees the new text, marked (edited)",
  async () => {
    await sayAndSee(alice, "see you at 10");
    expect(await message(bob.page, "see you at 10").getByRole("button", { name: "Edit" }).count()).toBe(0); // not his to edit
    const mine = message(alice.page, "see you at 10");
    await mine.hover();
    await mine.getByRole("button", { name: "Edit" }).click();
    const editor = mine.getByRole("textbox", { name: "Edit your message" });
    expect(await editor.inputValue()).toBe("see you at 10");
    await editor.fill("see you at 11");
    await editor.press("Enter");

    const edited = message(bob.page, "see you at 11");
    await edited.getByText("(edited)").waitFor();
    expect(texts(await waitForMessages(bob.page, (m) => m.length === 1))).toEqual(["see you at 11"]);
    await message(alice.page, "see you at 11").getByText("(edited)").waitFor();
    for (const v of [alice, bob]) expect(v.errors).toEqual([]);
  },
  TEST_MS,
);

test(
  "alice deletes her message after confirming (cancelling first changes nothing); bob sees that it was deleted",
  async () => {
    await sayAndSee(alice, "oops, wrong room");
    const mine = message(alice.page, "oops, wrong room");
    await mine.hover();
    await mine.getByRole("link", { name: "Delete" }).click();
    const dialog = alice.page.getByRole("dialog", { name: "Delete this message?" });
    await dialog.getByText("oops, wrong room").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await alice.page.waitForTimeout(300); // a deletion would have arrived by now
    expect(texts(await waitForMessages(bob.page, (m) => m.length === 1))).toEqual(["oops, wrong room"]);

    await mine.hover();
    await mine.getByRole("link", { name: "Delete" }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    for (const v of [bob, alice]) await waitForMessages(v.page, (m) => m.length === 1 && m[0]!.text === "This message was deleted");
    expect(await bob.page.locator("#messages li.message").getByRole("button").count()).toBe(0); // a tombstone has no actions
    expect(await bob.page.locator("#messages").textContent()).not.toContain("oops");
  },
  TEST_MS,
);

test(
  "the room's owner may delete bob's message; bob may not delete hers",
  async () => {
    await sayAndSee(alice, "from the owner");
    await sayAndSee(bob, "from bob");
    expect(await message(bob.page, "from the owner").getByRole("link", { name: "Delete" }).isVisible()).toBe(false);
    const his = message(alice.page, "from bob");
    await his.hover();
    await his.getByRole("link", { name: "Delete" }).click();
    await alice.page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await waitForMessages(bob.page, (m) => texts(m).join() === "from the owner,This message was deleted");
  },
  TEST_MS,
);

test(
  "bob reacts with the picker and takes it back; alice sees the count and who, both times",
  async () => {
    await sayAndSee(alice, "lunch?");
    const his = message(bob.page, "lunch?");
    await his.hover();
    await his.getByText("React", { exact: true }).click();
    await his.getByRole("button", { name: "React with thumbs up" }).click();

    const chip = message(alice.page, "lunch?").getByRole("button", { name: "bob reacted with 👍", exact: true });
    await chip.waitFor();
    expect(await chip.getAttribute("title")).toBe("bob reacted with 👍");
    expect(await chip.textContent()).toContain("👍1");
    expect(await chip.getAttribute("aria-pressed")).toBe("false"); // not hers
    const own = his.getByRole("button", { name: "You reacted with 👍", exact: true });
    expect(await own.getAttribute("aria-pressed")).toBe("true");

    await chip.click(); // alice joins in
    await message(bob.page, "lunch?").getByRole("button", { name: "You and alice reacted with 👍", exact: true }).waitFor();
    expect(await message(bob.page, "lunch?").locator(".reaction").textContent()).toContain("👍2");
    await message(bob.page, "lunch?").getByRole("button", { name: "You and alice reacted with 👍", exact: true }).click(); // bob takes his back
    await message(alice.page, "lunch?").getByRole("button", { name: "You reacted with 👍", exact: true }).waitFor();
    expect(await message(alice.page, "lunch?").locator(".reaction").textContent()).toContain("👍1");
  },
  TEST_MS,
);

test(
  "bob replies to alice's message: alice sees the quote above his, linking to hers",
  async () => {
    await sayAndSee(alice, "who is bringing the cake?");
    await sayAndSee(alice, "and the candles?");
    const original = message(bob.page, "who is bringing the cake?");
    await original.hover();
    await original.getByRole("button", { name: "Reply" }).click();
    const preview = bob.page.locator("#reply-preview");
    expect(await preview.textContent()).toContain("Replying to alice: who is bringing the cake?");
    expect(await bob.page.evaluate(() => document.activeElement?.id)).toBe("composer-text");
    await say(bob.page, "I am");
    expect(await preview.isVisible()).toBe(false);

    const answer = await message(alice.page, "I am");
    const quote = answer.getByRole("link", { name: /In reply to alice/ });
    await quote.waitFor();
    expect(await quote.textContent()).toContain("who is bringing the cake?");
    const originalId = await alice.page.locator("#messages li.message", { hasText: "who is bringing the cake?" }).first().getAttribute("id");
    expect(await quote.getAttribute("href")).toBe(`#${originalId}`);
    expect(texts(await waitForMessages(alice.page, (m) => m.length === 3)).at(-1)).toBe("I am");
  },
  TEST_MS,
);

test(
  "alice types @b, picks bob from the list and sends; bob sees it highlighted as a mention of him",
  async () => {
    const composer = alice.page.getByRole("textbox", { name: "Message" });
    await composer.pressSequentially("thanks @b");
    const options = alice.page.getByRole("listbox", { name: "People to mention" });
    await options.getByRole("option", { name: "@bob" }).click();
    expect(await composer.inputValue()).toBe("thanks @bob ");
    await composer.pressSequentially("for the review");
    await composer.press("Enter");

    const mention = message(bob.page, "thanks @bob for the review");
    await mention.getByText("mentions you").waitFor();
    expect(await mention.getAttribute("data-mentions-you")).toBe("true");
    expect(await mention.locator(".mention").textContent()).toBe("@bob");
    // For alice it is a mention, not a mention of her.
    expect(await message(alice.page, "thanks @bob").getAttribute("data-mentions-you")).toBe("false");
    expect(await message(alice.page, "thanks @bob").getByText("mentions you").isVisible()).toBe(false);
  },
  TEST_MS,
);

test(
  "bob sees 'alice is typing…' while she types, and it goes when her message arrives",
  async () => {
    const typing = bob.page.locator("#typing-status");
    expect(await typing.getAttribute("aria-live")).toBe("polite");
    await alice.page.getByRole("textbox", { name: "Message" }).pressSequentially("almost done");
    await typing.filter({ hasText: "alice is typing…" }).waitFor();
    expect(await alice.page.locator("#typing-status").textContent()).toBe(""); // not to herself
    await alice.page.getByRole("textbox", { name: "Message" }).press("Enter");
    await waitForMessages(bob.page, (m) => texts(m).includes("almost done"));
    expect(await typing.textContent()).toBe("");
  },
  TEST_MS,
);

test(
  "the keyboard alone reacts to a message and edits one",
  async () => {
    await sayAndSee(bob, "keyboard please");
    await sayAndSee(alice, "typo hree");
    const page = alice.page;
    const focused = () =>
      page.evaluate(
        () => (document.activeElement as HTMLElement).textContent?.trim() + "@" + document.activeElement?.closest("li.message")?.textContent?.includes("keyboard please"),
      );
    await page.getByRole("textbox", { name: "Message" }).focus();
    // Backwards from the composer: her own message's actions, then bob's.
    for (let presses = 0; (await focused()) !== "React@true"; presses++) {
      expect(presses).toBeLessThan(20);
      await page.keyboard.press("Shift+Tab");
    }
    await page.keyboard.press("Enter"); // opens the picker
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter"); // its first emoji
    await message(bob.page, "keyboard please").getByRole("button", { name: "alice reacted with 👍", exact: true }).waitFor();

    for (let presses = 0; (await focused()) !== "Edit@false"; presses++) {
      expect(presses).toBeLessThan(20);
      await page.keyboard.press("Tab");
    }
    await page.keyboard.press("Enter");
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("typo here");
    await page.keyboard.press("Enter");
    await message(bob.page, "typo here").getByText("(edited)").waitFor();
    await message(page, "typo here").getByText("(edited)").waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.action)).toBe("edit"); // back where she was
  },
  TEST_MS,
);

test(
  "a page that was offline while the other edited, deleted and reacted shows all of it after reconnecting",
  async () => {
    await sayAndSee(alice, "to be edited");
    await sayAndSee(alice, "to be deleted");
    await sayAndSee(alice, "to be liked");
    const ids = Object.fromEntries((await api(server, "GET", `/messages/${roomId}`, undefined, alice.token)).body.map((m: { id: string; content: string }) => [m.content, m.id]));
    await dropConnection(server, bob, "bob");
    await api(server, "PATCH", `/messages/${ids["to be edited"]}`, { content: "edited while bob was away" }, alice.token);
    await api(server, "DELETE", `/messages/${ids["to be deleted"]}`, undefined, alice.token);
    await api(server, "PUT", `/messages/${ids["to be liked"]}/reactions/${encodeURIComponent("🎉")}`, undefined, alice.token);
    await api(server, "POST", "/messages", { roomId, content: "and a new one" }, alice.token);
    await bob.context.setOffline(false);

    const shown = await waitForMessages(bob.page, (m) => m.length === 4 && m[3]!.text === "and a new one" && m[1]!.text === "This message was deleted");
    expect(texts(shown)).toEqual(["edited while bob was away", "This message was deleted", "to be liked", "and a new one"]);
    await message(bob.page, "edited while bob was away").getByText("(edited)").waitFor();
    await message(bob.page, "to be liked").getByRole("button", { name: "alice reacted with 🎉", exact: true }).waitFor();
    await bob.page.waitForFunction(() => document.getElementById("connection-status")?.textContent === "");
  },
  TEST_MS,
);

// Last: bob is no longer in the room afterwards.
test(
  "when the owner removes bob, bob's page says so, stops offering to write, and shows him offline",
  async () => {
    const errorsBefore = bob.errors.length; // (a page that went offline has logged its failed reconnects)
    await alice.page.locator("#members li", { hasText: "bob" }).getByRole("button", { name: "Remove bob" }).click();
    await bob.page.getByRole("status").filter({ hasText: "You were removed from this room" }).waitFor();
    expect(await bob.page.getByRole("textbox", { name: "Message" }).isDisabled()).toBe(true);
    expect(await bob.page.locator(`#members li[data-user-id="${bob.id}"]`).getAttribute("data-online")).toBe("false");
    expect(bob.errors.slice(errorsBefore)).toEqual([]);
  },
  TEST_MS,
);
