// The notifications button and the service worker in headless Chromium, under the pages' real
// Content-Security-Policy. (Headless Chromium has no push service to subscribe with: what
// reaches the server and what it sends are test/push.test.ts's.)
import { expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import type { TestServer } from "../harness";
import { registerThroughForm, TEST_MS, visitor, withServerAndBrowser } from "./chromium";

let server: TestServer;
let browser: Browser;

withServerAndBrowser((started, launched) => {
  [server, browser] = [started, launched];
});

/** The service worker the page's origin has, once it is active: its script and scope. */
const activeWorker = () => navigator.serviceWorker.ready.then((registration) => ({ script: registration.active!.scriptURL, scope: registration.scope }));

test(
  "the button shows while permission is still to ask; a click asks, and registers the service worker for the whole site",
  async () => {
    const v = await visitor(browser, server);
    await registerThroughForm(v.page, "alice");
    const button = v.page.getByRole("button", { name: "Turn on notifications" });
    await button.waitFor();
    expect(await v.page.evaluate(() => navigator.serviceWorker.getRegistrations().then((all) => all.length))).toBe(0); // nothing on load

    await v.context.grantPermissions(["notifications"]); // the answer to the prompt the click opens
    await button.click();
    expect(await v.page.evaluate(activeWorker)).toEqual({ script: `${server.base}/sw.js`, scope: `${server.base}/` });
    expect(v.errors).toEqual([]); // the Content-Security-Policy let it in
    expect(v.foreignRequests).toEqual([]);
    await v.context.close();
  },
  TEST_MS,
);

test(
  "with permission already granted there is no button, and the page sets the worker up by itself",
  async () => {
    const v = await visitor(browser, server);
    await v.context.grantPermissions(["notifications"]);
    await registerThroughForm(v.page, "bob");
    expect(await v.page.evaluate(activeWorker)).toEqual({ script: `${server.base}/sw.js`, scope: `${server.base}/` });
    expect(await v.page.locator("#enable-notifications").isHidden()).toBe(true);
    expect(v.errors).toEqual([]);
    await v.context.close();
  },
  TEST_MS,
);

test(
  "where notifications are refused there is no button",
  async () => {
    const v = await visitor(browser, server);
    // As a browser answers once the person has blocked notifications for the site.
    await v.context.addInitScript(() => Object.defineProperty(Notification, "permission", { get: () => "denied" }));
    await registerThroughForm(v.page, "carol");
    expect(await v.page.locator("#enable-notifications").isHidden()).toBe(true);
    await v.context.close();
  },
  TEST_MS,
);

test(
  "signing out first asks the server to forget this browser's subscription, then signs out",
  async () => {
    const v = await visitor(browser, server);
    await registerThroughForm(v.page, "dave");
    // What the page keeps once it has posted a subscription (Chromium here has no push service to make one).
    await v.page.evaluate(() => localStorage.setItem("chatloop.push", "dave https://push.example.com/dave"));
    const sent: string[] = [];
    // The page's own changes, not its socket's traffic.
    v.page.on(
      "request",
      (request) =>
        request.method() !== "GET" &&
        !request.url().includes("/socket.io/") &&
        sent.push(`${request.method()} ${new URL(request.url()).pathname} ${request.postData() ?? ""}`.trim()),
    );
    await v.page.getByRole("button", { name: "Sign out" }).click();
    await v.page.waitForURL((url) => url.pathname === "/signin");
    expect(sent).toEqual(['DELETE /push/subscriptions {"endpoint":"https://push.example.com/dave"}', "POST /signout"]);
    expect(await v.page.evaluate(() => localStorage.getItem("chatloop.push"))).toBeNull();
    await v.context.close();
  },
  TEST_MS,
);
