// End to end in headless Chromium: an admin deactivates someone who is chatting in another
// browser, and their page goes to the sign-in page at once; a reset link made on the admin page
// and copied with its button sets a new password once, and a second visit is refused. The
// admin and settings pages pass axe-core.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { startServer, stopServer, type TestServer } from "../harness";
import { accessibilityViolations, createRoomThroughForm, launchChromium, registerThroughForm, say, visitor, waitForMessages, TEST_MS } from "./chromium";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
}, TEST_MS);
afterAll(async () => {
  await browser?.close();
  await stopServer(server);
}, TEST_MS);

test("an admin deactivates someone chatting in another browser: their page goes to sign in at once, and signing in says why", async () => {
  const admin = await visitor(browser, server);
  await registerThroughForm(admin.page, "root"); // the first account: the site admin
  const bob = await visitor(browser, server);
  await registerThroughForm(bob.page, "bob");
  await createRoomThroughForm(bob.page, "bob's room");
  await say(bob.page, "still here");
  await waitForMessages(bob.page, (messages) => messages.some((m) => m.text === "still here" && !m.pending));

  await admin.page.getByRole("link", { name: "Admin" }).click();
  await admin.page.getByRole("searchbox", { name: "Find someone by username" }).fill("bob");
  const row = admin.page.locator("#accounts li", { hasText: "bob" });
  await row.getByRole("button", { name: "Deactivate bob" }).click();
  await row.getByText("deactivated").waitFor();
  await row.getByRole("button", { name: "Reactivate bob" }).waitFor();

  await bob.page.waitForURL((url) => url.pathname === "/signin");
  await bob.page.getByLabel("Username").fill("bob");
  await bob.page.getByLabel("Password").fill("correct horse battery");
  await bob.page.getByRole("button", { name: "Sign in" }).click();
  await bob.page.getByRole("alert").filter({ hasText: "this account is deactivated" }).waitFor();
  expect(admin.errors).toEqual([]);
  expect(bob.errors.filter((e) => !e.includes("401") && !e.includes("403"))).toEqual([]);
}, TEST_MS);

test("a reset link made and copied on the admin page sets a new password once; the second visit says it was used", async () => {
  const admin = await visitor(browser, server, { permissions: ["clipboard-read", "clipboard-write"] });
  await admin.page.goto("/signin");
  await admin.page.getByLabel("Username").fill("root");
  await admin.page.getByLabel("Password").fill("correct horse battery");
  await admin.page.getByRole("button", { name: "Sign in" }).click();
  await admin.page.waitForURL((url) => url.pathname === "/");
  const carol = await visitor(browser, server);
  await registerThroughForm(carol.page, "carol");

  await admin.page.goto("/chat/admin?query=carol");
  const row = admin.page.locator("#accounts li", { hasText: "carol" });
  await row.getByRole("button", { name: "Reset link carol" }).click();
  const field = row.getByLabel(/One-time link for carol/);
  await field.waitFor();
  await row.getByRole("button", { name: "Copy the link" }).click();
  await row.getByRole("status").filter({ hasText: "Copied." }).waitFor();
  const url = await admin.page.evaluate(() => navigator.clipboard.readText());
  expect(url).toBe(await field.inputValue());
  expect(url).toMatch(new RegExp(`^${server.base}/reset/[\\w-]{43}$`));

  const stranger = await visitor(browser, server); // whoever the link was handed to, signed in nowhere
  await stranger.page.goto(url);
  await stranger.page.getByText("For carol.").waitFor();
  await stranger.page.getByLabel(/New password/).fill("carol's new password");
  await stranger.page.getByRole("button", { name: "Set password" }).click();
  await stranger.page.waitForURL((u) => u.pathname === "/");
  await stranger.page.getByText("Signed in as").filter({ hasText: "carol" }).waitFor();
  // Carol's other session ended with the reset: her page goes to sign in.
  await carol.page.waitForURL((u) => u.pathname === "/signin");

  await stranger.page.goto(url);
  await stranger.page.getByRole("alert").filter({ hasText: "this reset link was used already" }).waitFor();
  expect(await stranger.page.getByRole("button", { name: "Set password" }).count()).toBe(0);
  expect([...admin.errors, ...stranger.errors].filter((e) => !e.includes("400"))).toEqual([]);
}, TEST_MS);

test("the admin and settings pages pass axe-core in light and dark", async () => {
  for (const colorScheme of ["light", "dark"] as const) {
    const { page, context } = await visitor(browser, server, { colorScheme });
    await page.goto("/signin");
    await page.getByLabel("Username").fill("root");
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    for (const path of ["/chat/admin", "/chat/settings"]) {
      await page.goto(path);
      expect(await accessibilityViolations(page)).toEqual([]);
    }
    await context.close();
  }
}, TEST_MS);
