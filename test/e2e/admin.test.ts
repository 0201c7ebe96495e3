// End to end in headless Chromium: an admin deactivates someone who is chatting in another
// browser, and their page goes to the sign-in page at once; a reset link made on the admin page
// and copied with its button sets a new password once, and a second visit is refused. The
// admin and settings pages pass axe-core.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { signUp, startServer, stopServer, type TestServer } from "../harness";
import {
  accessibilityViolations,
  createRoomThroughForm,
  fillSignIn,
  launchChromium,
  registerThroughForm,
  say,
  signInThroughForm,
  TEST_MS,
  visitor,
  waitForMessages,
} from "./chromium";

let server: TestServer;
let browser: Browser;
const PHONE = { width: 360, height: 740 };

beforeAll(async () => {
  server = await startServer();
  await signUp(server, "root"); // the first account: the site admin
  browser = await launchChromium();
}, TEST_MS);
afterAll(async () => {
  await browser?.close();
  await stopServer(server);
}, TEST_MS);

test(
  "an admin deactivates someone chatting in another browser: their page goes to sign in at once, and signing in says why",
  async () => {
    const admin = await visitor(browser, server);
    await signInThroughForm(admin.page, "root");
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
    await fillSignIn(bob.page, "bob");
    await bob.page.getByRole("alert").filter({ hasText: "this account is deactivated" }).waitFor();
    expect(admin.errors).toEqual([]);
    // Requests the page had under way when its session ended fail (401, 403, the socket's old session id 400): no script error.
    expect(bob.errors.filter((e) => !e.startsWith("Failed to load resource"))).toEqual([]);
  },
  TEST_MS,
);

test(
  "a reset link made and copied on the admin page sets a new password once; the second visit says it was used",
  async () => {
    const admin = await visitor(browser, server, { permissions: ["clipboard-read", "clipboard-write"] });
    await signInThroughForm(admin.page, "root");
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
    expect(admin.errors).toEqual([]);
    expect(stranger.errors).toEqual(["Failed to load resource: the server responded with a status of 400 (Bad Request)"]); // the used link's page
  },
  TEST_MS,
);

test(
  "the admin and settings pages pass axe-core in light and dark, and fit a phone, header included",
  async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const { page, context } = await visitor(browser, server, { colorScheme, viewport: PHONE });
      await signInThroughForm(page, "root");
      for (const path of ["/", "/chat/admin", "/chat/settings"]) {
        await page.goto(path);
        expect(await accessibilityViolations(page)).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      }
      await context.close();
    }
  },
  TEST_MS,
);
