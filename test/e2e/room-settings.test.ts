// End to end in headless Chromium: a room renamed, given a topic and archived from its settings
// page, seen live on the OTHER member's page (header, sidebar, composer); a name already in use
// asks first; and formatted messages render while hostile markup still shows as text.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { api, startServer, stopServer, type TestServer } from "../harness";
import { createRoomThroughForm, launchChromium, registerThroughForm, say, TEST_MS, type Visitor, visitor, waitForMessages, waitUntilLive } from "./chromium";

let server: TestServer;
let browser: Browser;
let alice: Visitor & { token: string };
let bob: Visitor & { token: string };

async function person(name: string) {
  const v = await visitor(browser, server);
  await registerThroughForm(v.page, name);
  const { token } = (await api(server, "POST", "/auth/login", { username: name, password: "correct horse battery" })).body;
  return { ...v, token };
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

test(
  "alice renames her room and archives it from the UI; bob's open page follows live",
  async () => {
    const path = await createRoomThroughForm(alice.page, "planning");
    const roomId = path.split("/").at(-1)!;
    await api(server, "POST", `/rooms/${roomId}/join`, undefined, bob.token);
    await bob.page.goto(path);
    await waitUntilLive(bob.page);
    const bobsLink = bob.page.locator(`#conversation-${roomId}`);
    await bobsLink.getByText("planning").waitFor();
    expect(await bob.page.getByRole("link", { name: "Room settings" }).count()).toBe(0); // not his room

    await alice.page.getByRole("link", { name: "Room settings" }).click();
    await alice.page.getByLabel("Name", { exact: true }).fill("launch plan");
    await alice.page.getByLabel(/Topic/).fill("dates, owners and risks");
    await alice.page.getByRole("button", { name: "Save" }).click();
    await alice.page.waitForURL((url) => url.pathname === path);
    await alice.page.locator("#room-heading").getByText("launch plan").waitFor();

    // Bob did nothing: his header, topic, sidebar and title follow.
    await bob.page.locator("#room-heading").getByText("launch plan").waitFor();
    await bob.page.locator("#room-topic").getByText("dates, owners and risks").waitFor();
    await bobsLink.getByText("launch plan").waitFor();
    await bob.page.waitForFunction(() => document.title.startsWith("launch plan"));

    await alice.page.getByRole("link", { name: "Room settings" }).click();
    await alice.page.getByRole("link", { name: "Archive room…" }).click();
    await alice.page.getByRole("heading", { name: "Archive launch plan?" }).waitFor();
    await alice.page.getByRole("button", { name: "Archive" }).click();
    await alice.page.waitForURL((url) => url.pathname === "/");
    expect(await alice.page.locator(`#conversation-${roomId}`).count()).toBe(0);

    // On bob's page: the room leaves the sidebar, the composer gives way to the notice.
    await bobsLink.waitFor({ state: "detached" });
    await bob.page.getByText("This room is archived").waitFor();
    expect(await bob.page.getByRole("textbox", { name: "Message" }).isVisible()).toBe(false);
    // Reloaded, the archived room still shows its header and history, read-only.
    await bob.page.reload();
    await bob.page.locator("#room-heading").getByText("(archived)").waitFor();
    expect(await bob.page.getByRole("textbox", { name: "Message" }).count()).toBe(0);
    for (const v of [alice, bob]) expect(v.errors).toEqual([]);
  },
  TEST_MS,
);

test(
  "creating a room with a name already in sight asks first, and lists then tell the two apart",
  async () => {
    await createRoomThroughForm(bob.page, "design");
    await bob.page.goto("/");
    await bob.page.getByLabel("Room name").fill("Design");
    await bob.page.getByRole("button", { name: "Create room" }).click();
    await bob.page.getByRole("alert").getByText("A room named “Design” already exists").waitFor();
    await bob.page.getByRole("button", { name: "Create anyway" }).click();
    await bob.page.waitForURL(/\/chat\/rooms\//);
    await waitUntilLive(bob.page);
    const notes = await bob.page.locator("#sidebar .namesake-note").allTextContents();
    expect(notes).toEqual(["(by bob)", "(by bob)"]);
    expect(bob.errors).toEqual([]);
  },
  TEST_MS,
);

test(
  "formatted messages render on both pages, live and in the history; hostile markup shows as text",
  async () => {
    const path = await createRoomThroughForm(alice.page, "formatting");
    const roomId = path.split("/").at(-1)!;
    await api(server, "POST", `/rooms/${roomId}/join`, undefined, bob.token);
    await bob.page.goto(path);
    await waitUntilLive(bob.page);
    let alerted = false;
    for (const v of [alice, bob]) v.page.on("dialog", (dialog) => ((alerted = true), dialog.dismiss()));

    await say(alice.page, "**ship** it: see [the plan](https://example.com/plan)\n```\nnpm test\n```");
    await say(alice.page, `<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3))`);
    const hostileText = "<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3))";
    for (const v of [alice, bob]) await waitForMessages(v.page, (m) => m.filter((x) => !x.pending).length === 2);

    for (const page of [bob.page, alice.page]) {
      const formatted = page.locator("#messages li.message").first();
      expect(await formatted.locator(".message-text strong").textContent()).toBe("ship");
      expect(await formatted.locator(".message-text pre code").textContent()).toBe("npm test\n");
      const link = formatted.getByRole("link", { name: "the plan" });
      expect(await link.getAttribute("href")).toBe("https://example.com/plan");
      expect(await link.getAttribute("rel")).toBe("noopener noreferrer nofollow");
      expect(await link.getAttribute("target")).toBe("_blank");
      const hostile = page.locator("#messages li.message").nth(1);
      expect(await hostile.locator(".message-text").textContent()).toBe(hostileText);
      expect(await hostile.locator(".message-text img, .message-text script, .message-text a").count()).toBe(0);
    }
    // The same after a reload: the history comes from the same renderer.
    await bob.page.reload();
    await waitUntilLive(bob.page);
    expect(await bob.page.locator("#messages li.message").first().locator(".message-text strong").textContent()).toBe("ship");
    expect(await bob.page.locator("#messages li.message").nth(1).locator(".message-text").textContent()).toBe(hostileText);

    // Editing starts from the text as written, markup and all.
    const mine = alice.page.locator("#messages li.message").first();
    await mine.hover();
    await mine.getByRole("button", { name: "Edit" }).click();
    expect(await mine.getByRole("textbox", { name: "Edit your message" }).inputValue()).toBe("**ship** it: see [the plan](https://example.com/plan)\n```\nnpm test\n```");
    await mine.getByRole("textbox", { name: "Edit your message" }).fill("~~ship~~ *wait*");
    await mine.getByRole("textbox", { name: "Edit your message" }).press("Enter");
    await bob.page.locator("#messages li.message").first().locator(".message-text s").getByText("ship").waitFor();
    expect(await bob.page.locator("#messages li.message").first().locator(".message-text em").textContent()).toBe("wait");

    expect(alerted).toBe(false);
    for (const v of [alice, bob]) expect(v.errors).toEqual([]);
  },
  TEST_MS,
);
