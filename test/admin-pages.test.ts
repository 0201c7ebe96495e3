// The admin page, the settings page, the join link and the reset page in the browser, over
// plain HTTP as a browser without JavaScript sends it (and as htmx asks): every form works
// without the script, and htmx gets just the part that changed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Browser, getPage, post, postForm, signInBrowser } from "./browser";
import { api, type Person, people, signUp, startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;
let root: Person, alice: Person;
let rootBrowser: Browser, aliceBrowser: Browser;

beforeAll(async () => {
  server = await startServer();
  root = await signUp(server, "root");
  [alice] = await people(server, "alice");
  [rootBrowser, aliceBrowser] = await Promise.all([signInBrowser(server, "root"), signInBrowser(server, "alice")]);
});
afterAll(() => stopServer(server));

const PASSWORD = "correct horse battery";
const HTMX = { "hx-request": "true" };
let made = 0;
const newcomer = (name: string) => signUp(server, `${name}${++made}`);

describe("the header", () => {
  test("links Settings for everyone signed in, and Admin for admins only", async () => {
    const rootHome = await (await getPage(rootBrowser, "/")).text();
    expect(rootHome).toContain('href="/chat/settings"');
    expect(rootHome).toContain('href="/chat/admin"');
    const aliceHome = await (await getPage(aliceBrowser, "/")).text();
    expect(aliceHome).toContain('href="/chat/settings"');
    expect(aliceHome).not.toContain('href="/chat/admin"');
  });
});

describe("the admin page", () => {
  test("lists people with their actions and the join link; anyone else gets a 403 page and sees nobody", async () => {
    const answer = await getPage(rootBrowser, "/chat/admin");
    expect(answer.status).toBe(200);
    const page = await answer.text();
    expect(page).toContain(`id="account-${alice.id}"`);
    expect(page).toContain('Deactivate<span class="sr-only"> alice</span>');
    expect(page).toContain(`/chat/admin/users/${alice.id}/reset-link`);
    const join = await api(server, "GET", "/admin/join-link", undefined, root.token);
    expect(page).toContain(`value="${join.body.url}"`);
    expect(page).toContain("admin.js");

    const refused = await getPage(aliceBrowser, "/chat/admin");
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain(`account-${root.id}`);
    const posted = await post(aliceBrowser, `/chat/admin/users/${root.id}/deactivate`, {});
    expect(posted.status).toBe(403);
    expect(await posted.text()).not.toContain(`account-${root.id}`);
    expect((await api(server, "GET", "/me", undefined, root.token)).status).toBe(200);
  });

  test("finds people by part of their name; htmx gets the list alone", async () => {
    const found = await (await getPage(rootBrowser, "/chat/admin?query=LIC", HTMX)).text();
    expect(found).toContain(`account-${alice.id}`);
    expect(found).not.toContain(`account-${root.id}`);
    expect(found).not.toContain("<html");
  });

  test("without JavaScript, Deactivate answers the page searched for that person, marked deactivated; Reactivate undoes it", async () => {
    const target = await newcomer("target");
    const deactivated = await post(rootBrowser, `/chat/admin/users/${target.id}/deactivate`, {});
    expect(deactivated.status).toBe(200);
    const page = await deactivated.text();
    expect(page).toContain(`value="${target.username}"`);
    expect(page).toMatch(new RegExp(`id="account-${target.id}"[\\s\\S]*deactivated[\\s\\S]*Reactivate`));
    expect((await api(server, "GET", "/rooms", undefined, target.token)).status).toBe(401);

    const row = await (await post(rootBrowser, `/chat/admin/users/${target.id}/reactivate`, {}, HTMX)).text();
    expect(row.startsWith(`<li id="account-${target.id}"`)).toBe(true);
    expect(row).toContain("Deactivate");
  });

  test("Reset link shows a one-time link in the row that sets the password once; an admin who would leave none gets the reason", async () => {
    const target = await newcomer("forgetful");
    const row = await (await post(rootBrowser, `/chat/admin/users/${target.id}/reset-link`, {}, HTMX)).text();
    const url = row.match(/value="(http[^"]+\/reset\/[\w-]+)"/)![1]!;
    expect(url.startsWith(server.base)).toBe(true);
    expect(row).toContain('data-copy="reset-link-');

    const refused = await post(rootBrowser, `/chat/admin/users/${root.id}/admin`, { isAdmin: "false" }, HTMX);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("without an admin");
    expect((await post(rootBrowser, `/chat/admin/users/${root.id}/admin`, { isAdmin: "maybe" }, HTMX)).status).toBe(400);
  });

  test("Replace gives a new join link, and says the old one stopped working", async () => {
    const before = (await api(server, "GET", "/admin/join-link", undefined, root.token)).body.url;
    const panel = await (await post(rootBrowser, "/chat/admin/join-link", {}, HTMX)).text();
    const after = (await api(server, "GET", "/admin/join-link", undefined, root.token)).body.url;
    expect(after).not.toBe(before);
    expect(panel).toContain(`value="${after}"`);
    expect(panel).toContain("the old link no longer works");
  });
});

describe("the reset page", () => {
  test("sets a new password once and signs you in; a second visit says the link was used", async () => {
    const target = await newcomer("resetter");
    const { url } = (await api(server, "POST", `/admin/users/${target.id}/reset-link`, undefined, root.token)).body;
    const path = new URL(url).pathname;
    const form = await getPage({ server, cookie: "" }, path);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain(`<strong>${target.username}</strong>`);

    expect((await postForm(server, path, { newPassword: "short" })).status).toBe(400);
    const done = await postForm(server, path, { newPassword: "a brand new password" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/");
    expect(done.headers.get("set-cookie")).toContain("chatloop_session=");
    expect((await api(server, "POST", "/auth/login", { username: target.username, password: "a brand new password" })).status).toBe(200);

    for (const again of [await getPage({ server, cookie: "" }, path), await postForm(server, path, { newPassword: "another new password" })]) {
      expect(again.status).toBe(400);
      expect(await again.text()).toContain("was used already");
    }
  });
});

describe("signing up with REGISTRATION=link", () => {
  test("the sign-up page says registration is closed; the join link shows the form and makes the account; an old link is refused", async () => {
    const closed = await startServer({ registration: "link" });
    try {
      const owner = await signUp(closed, "owner");
      const register = await getPage({ server: closed, cookie: "" }, "/register");
      expect(register.status).toBe(403);
      expect(await register.text()).toContain("Registration is closed");
      const walkIn = await postForm(closed, "/register", { username: "walkin", password: PASSWORD });
      expect(walkIn.status).toBe(403);

      const { code } = (await api(closed, "GET", "/admin/join-link", undefined, owner.token)).body;
      const form = await getPage({ server: closed, cookie: "" }, `/join/${code}`);
      expect(form.status).toBe(200);
      expect(await form.text()).toContain(`action="/join/${code}"`);
      const joined = await postForm(closed, `/join/${code}`, { username: "invited", password: PASSWORD });
      expect(joined.status).toBe(303);

      await api(closed, "POST", "/admin/join-link", undefined, owner.token);
      const stale = await getPage({ server: closed, cookie: "" }, `/join/${code}`);
      expect(stale.status).toBe(403);
      expect(await stale.text()).toContain("not valid any more");
      expect((await postForm(closed, `/join/${code}`, { username: "late", password: PASSWORD })).status).toBe(403);
      expect((await closed.sql`select username from users order by created_at`).map((u) => u.username)).toEqual(["owner", "invited"]);
    } finally {
      await stopServer(closed);
    }
  });
});

describe("the settings page", () => {
  test("changes your password and keeps you signed in on this browser with a new session", async () => {
    const person = await newcomer("changer");
    const browser = await signInBrowser(server, person.username);
    expect((await getPage(browser, "/chat/settings")).status).toBe(200);
    const wrong = await post(browser, "/chat/settings/password", { currentPassword: "nope", newPassword: "a fresh password" }, HTMX);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("the current password is wrong");

    const changed = await post(browser, "/chat/settings/password", { currentPassword: PASSWORD, newPassword: "a fresh password" });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toContain("Your password was changed");
    const cookie = changed.headers.get("set-cookie")!.split(";")[0]!;
    expect((await getPage({ server, cookie }, "/chat/settings")).status).toBe(200);
    expect((await getPage(browser, "/chat/settings")).status).toBe(303); // the old session ended
  });

  test("deletes your account with your password and signs you out", async () => {
    const person = await newcomer("leaver");
    const browser = await signInBrowser(server, person.username);
    const wrong = await post(browser, "/chat/settings/delete", { password: "nope" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("the current password is wrong");

    const deleted = await post(browser, "/chat/settings/delete", { password: PASSWORD });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get("location")).toBe("/signin");
    expect((await api(server, "POST", "/auth/login", { username: person.username, password: PASSWORD })).status).toBe(401);
  });
});
