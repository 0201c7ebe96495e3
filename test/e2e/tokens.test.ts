// The Tokens page in headless Chromium, under the pages' real Content-Security-Policy: make a
// token (seen once, copied), use it, revoke it.
import { expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { api, type TestServer } from "../harness";
import { registerThroughForm, TEST_MS, visitor, withServerAndBrowser } from "./chromium";

let server: TestServer;
let browser: Browser;

withServerAndBrowser((started, launched) => {
  [server, browser] = [started, launched];
});

test(
  "from the header to the Tokens page: a token made is shown once and copied, works on the API, and is revoked",
  async () => {
    const v = await visitor(browser, server);
    await v.context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await registerThroughForm(v.page, "alice");
    await v.page.getByRole("link", { name: "Tokens" }).click();
    await v.page.getByRole("heading", { name: "API tokens" }).waitFor();
    expect(await v.page.getByText("You have no tokens.").isVisible()).toBe(true);

    await v.page.getByLabel("Name").fill("deploy script");
    await v.page.getByLabel("Expires").selectOption({ label: "in 90 days" });
    await v.page.getByRole("button", { name: "Make a token" }).click();
    const shown = v.page.getByLabel("Your new token");
    await shown.waitFor();
    const token = await shown.inputValue();
    expect(token).toMatch(/^chatloop_/);
    await v.page.getByRole("button", { name: "Copy" }).click();
    await v.page.getByRole("button", { name: "Copied" }).waitFor();
    expect(await v.page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    expect(v.page.url()).not.toContain(token);
    expect((await api(server, "GET", "/rooms", undefined, token)).status).toBe(200);

    // Seen once: the page drawn again lists it, without the token.
    await v.page.goto(`${server.base}/chat/tokens`);
    const row = v.page.getByRole("row", { name: /deploy script/ });
    await row.waitFor();
    expect(await v.page.content()).not.toContain(token);
    expect(await row.locator("td").nth(2).textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/); // "Last used": just now

    await row.getByRole("button", { name: /Revoke/ }).click();
    await v.page.getByText("You have no tokens.").waitFor();
    expect((await api(server, "GET", "/rooms", undefined, token)).status).toBe(401);
    expect(v.errors).toEqual([]);
    expect(v.foreignRequests).toEqual([]);
    await v.context.close();
  },
  TEST_MS,
);
