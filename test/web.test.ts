// The browser UI over real HTTP and Socket.IO: the session cookie, cross-site refusals,
// fragments and pages, escaping of everything a user typed, and the security headers.

import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { io as connectSocket } from "socket.io-client";
import { type Browser, getPage, htmlSocket, post, postForm, signInBrowser } from "./browser";
import { api, closeSockets, connect, createRoom, flush, inbox, invite, next, type Person, people, signUp, snapshot, startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;
let alice: Person, bob: Person, mallory: Person;
let aliceBrowser: Browser;
const EVIL = "https://evil.example";

beforeAll(async () => {
  server = await startServer();
  await signUp(server, "root"); // the first account, the site admin: nobody below may manage others' rooms
  [alice, bob, mallory] = await people(server, "alice", "bob", "mallory");
  aliceBrowser = await signInBrowser(server, "alice");
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

const HOSTILE = `<script>alert(1)</script><img src=x onerror=alert(2)> <b hx-get="/signout" hx-trigger="load" hx-on:click="alert(3)">bold</b> "quoted" & 'single'`;

function expectNoHostileMarkup(page: string) {
  expect(page).not.toContain("<script>alert");
  expect(page).not.toContain("<img src=x");
  expect(page).not.toMatch(/<[a-z][^>]*\s(hx-get|hx-trigger|hx-on|onerror)\b/i); // no tag carries them as attributes
  expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;");
  expect(page).toContain("&lt;b hx-get=&quot;/signout&quot; hx-trigger=&quot;load&quot; hx-on:click=&quot;alert(3)&quot;&gt;bold&lt;/b&gt;");
}

interface ShownConversation {
  name: string;
  href: string;
  unread: number;
  mentions: number;
  /** The mention badge is shown, not only counted. */
  mentionBadge: boolean;
  current: boolean;
}

/** The sidebar's conversations as a page shows them (names as written in the HTML), by section, top to bottom. */
async function sidebarOf(page: string) {
  const sections: Record<string, ShownConversation[]> = {};
  let section: ShownConversation[] = [];
  let shown: ShownConversation | undefined;
  await new HTMLRewriter()
    .on("#conversations section", { element: (el) => void (section = sections[el.getAttribute("aria-labelledby")!] = []) })
    .on("#conversations a.conversation", {
      element(el) {
        const number = (name: string) => Number(el.getAttribute(name));
        shown = {
          name: "",
          href: el.getAttribute("href")!,
          unread: number("data-unread"),
          mentions: number("data-mentions"),
          mentionBadge: false,
          current: el.getAttribute("aria-current") === "page",
        };
        section.push(shown);
      },
    })
    .on("#conversations a.conversation .truncate", { text: (chunk) => void (shown!.name += chunk.text) })
    .on("#conversations a.conversation .mention-badge", { element: (el) => void (shown!.mentionBadge = !el.hasAttribute("hidden")) })
    .transform(new Response(page))
    .text();
  return { rooms: sections["rooms-heading"] ?? [], direct: sections["direct-heading"] ?? [] };
}
const titleOf = (page: string) => page.match(/<title>([^<]*)<\/title>/)![1];

describe("the session cookie", () => {
  test("signing in sets an HttpOnly, SameSite=Lax cookie that lives as long as the token", async () => {
    const response = await postForm(server, "/signin", { username: "bob", password: bob.password });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
    expect(response.headers.get("set-cookie")).toMatch(/^chatloop_session=[\w.-]+; HttpOnly; SameSite=Lax; Path=\/; Max-Age=3600$/);
  });

  test("behind an https proxy the cookie is Secure", async () => {
    const response = await postForm(
      server,
      "/signin",
      { username: "bob", password: bob.password },
      {
        "x-forwarded-proto": "https",
        origin: server.base.replace("http:", "https:"),
      },
    );
    expect(response.headers.get("set-cookie")).toEndWith("; Secure");
  });

  test("a wrong password shows the form again with the reason, and sets no cookie", async () => {
    const response = await postForm(server, "/signin", { username: "bob", password: "wrong password" }, { "hx-request": "true" });
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
    const fragment = await response.text();
    expect(fragment).toStartWith(`<section id="sign-in"`);
    expect(fragment).toContain(`role="alert"`);
    expect(fragment).toContain("wrong username or password");
  });

  test("registering through the form signs you in", async () => {
    const response = await postForm(server, "/register", { username: "carol", password: "correct horse battery" });
    expect(response.status).toBe(303);
    const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
    const rooms = await fetch(server.base + "/rooms", { headers: { cookie } });
    expect(rooms.status).toBe(200);
  });

  test("the cookie authenticates the JSON API, and signing out revokes it there too", async () => {
    const browser = await signInBrowser(server, "bob");
    expect((await fetch(server.base + "/rooms", { headers: { cookie: browser.cookie } })).status).toBe(200);
    const out = await post(browser, "/signout", {});
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/signin");
    expect(out.headers.get("set-cookie")).toStartWith("chatloop_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
    const after = await fetch(server.base + "/rooms", { headers: { cookie: browser.cookie } });
    expect(after.status).toBe(401);
    expect((await getPage(browser, "/")).headers.get("location")).toBe("/signin");
  });

  test("POST /auth/logout with the cookie (from our own page) revokes it as well", async () => {
    const browser = await signInBrowser(server, "bob");
    const out = await fetch(server.base + "/auth/logout", { method: "POST", headers: { cookie: browser.cookie, origin: server.base } });
    expect(out.status).toBe(204);
    expect((await fetch(server.base + "/rooms", { headers: { cookie: browser.cookie } })).status).toBe(401);
  });
});

describe("cross-site requests", () => {
  test("a cookie-authenticated request from a foreign page is refused and changes nothing, on the UI and the JSON API", async () => {
    const before = await snapshot(server);
    const attempts = [
      post(aliceBrowser, "/chat/rooms", { name: "csrf" }, { origin: EVIL }),
      fetch(server.base + "/rooms", {
        method: "POST",
        headers: { cookie: aliceBrowser.cookie, origin: EVIL, "content-type": "application/json" },
        body: JSON.stringify({ name: "csrf" }),
      }),
      fetch(server.base + "/auth/logout", { method: "POST", headers: { cookie: aliceBrowser.cookie, origin: EVIL } }),
      post(aliceBrowser, "/signout", {}, { origin: EVIL }),
      // Neither Origin nor Referer: nothing proves the request came from us.
      fetch(server.base + "/rooms", { method: "POST", headers: { cookie: aliceBrowser.cookie, "content-type": "application/json" }, body: '{"name":"csrf"}' }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(403);
      if (response.headers.get("content-type")?.startsWith("application/json")) {
        expect(await response.json()).toEqual({ code: "cross_site_request", message: expect.any(String) });
      }
    }
    expect(await snapshot(server)).toEqual(before);
  });

  test("a same-origin Referer is enough when a browser sends no Origin", async () => {
    const response = await fetch(server.base + "/rooms", {
      method: "POST",
      headers: { cookie: aliceBrowser.cookie, referer: `${server.base}/`, "content-type": "application/json" },
      body: JSON.stringify({ name: "from our page" }),
    });
    expect(response.status).toBe(201);
  });

  test("Bearer-token requests are not browser requests: any Origin is fine", async () => {
    const response = await fetch(server.base + "/rooms", {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}`, origin: EVIL, "content-type": "application/json" },
      body: JSON.stringify({ name: "api client" }),
    });
    expect(response.status).toBe(201);
  });

  test("signing in from a foreign page is refused (no login CSRF)", async () => {
    const response = await postForm(server, "/signin", { username: "mallory", password: mallory.password }, { origin: EVIL });
    expect(response.status).toBe(403);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  test("a socket handshake with the session cookie from a foreign origin is refused", async () => {
    await expect(htmlSocket(server, {}, { cookie: aliceBrowser.cookie, origin: EVIL })).rejects.toThrow();
    const ours = await htmlSocket(server, {}, { cookie: aliceBrowser.cookie, origin: server.base });
    expect(ours.connected).toBe(true);
    ours.close();
  });

  test("over long-polling too, a handshake with the session cookie from a foreign origin is refused", async () => {
    const polling = (origin: string) =>
      new Promise<boolean>((resolve) => {
        const socket = connectSocket(server.base, {
          auth: { format: "html" },
          extraHeaders: { cookie: aliceBrowser.cookie, origin },
          transports: ["polling"],
          reconnection: false,
          forceNew: true,
        });
        socket.once("connect", () => (socket.close(), resolve(true)));
        socket.once("connect_error", () => (socket.close(), resolve(false)));
      });
    expect(await polling(EVIL)).toBe(false);
    expect(await polling(server.base)).toBe(true);
  });

  test("a socket authenticated with auth.token may come from any origin", async () => {
    const socket = await htmlSocket(server, { token: alice.token }, { origin: EVIL });
    expect(socket.connected).toBe(true);
    socket.close();
  });
});

describe("pages and fragments", () => {
  test("the same URL gives htmx the fragment and everyone else the page built around that very fragment", async () => {
    const room = await createRoom(server, alice, "fragments");
    await api(server, "POST", "/messages", { roomId: room.id, content: "hello" }, alice.token);
    const fragment = await (await getPage(aliceBrowser, `/chat/rooms/${room.id}`, { "hx-request": "true" })).text();
    const page = await (await getPage(aliceBrowser, `/chat/rooms/${room.id}`)).text();
    expect(fragment).toStartWith(`<div id="room"`);
    expect(fragment).not.toContain("<html");
    expect(page).toStartWith("<!doctype html>");
    expect(page).toContain(fragment);
  });

  test("HTML answers carry a Content-Security-Policy without inline or eval scripts, and the other security headers", async () => {
    for (const path of ["/signin", "/register"]) {
      const response = await fetch(server.base + path);
      const csp = response.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("same-origin");
      const page = await response.text();
      expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
      expect(page).not.toMatch(/\sstyle=|<style/); // no inline style
    }
  });

  test("a private room is not on a stranger's home page, and its page answers like a room that does not exist", async () => {
    const room = await createRoom(server, alice, "alice's secret", true);
    const stranger = await signInBrowser(server, "mallory");
    expect(await (await getPage(stranger, "/")).text()).not.toContain("alice&#39;s secret");
    const secret = await getPage(stranger, `/chat/rooms/${room.id}`);
    const nowhere = await getPage(stranger, `/chat/rooms/${crypto.randomUUID()}`);
    expect(secret.status).toBe(404);
    expect(secret.headers.get("content-type")).toStartWith("text/html");
    expect(await secret.text()).toEqual(await nowhere.text());
  });

  test("without a session a page sends you to sign in", async () => {
    const response = await fetch(`${server.base}/chat/rooms/${crypto.randomUUID()}`, { redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/signin");
  });

  test("the owner invites through the members form; htmx gets the members panel back", async () => {
    const room = await createRoom(server, alice, "invites", true);
    const response = await post(aliceBrowser, `/chat/rooms/${room.id}/invites`, { username: "bob" }, { "hx-request": "true" });
    expect(response.status).toBe(200);
    const panel = await response.text();
    expect(panel).toStartWith(`<aside id="members"`);
    expect(panel).toContain("Members (2)");
    const unknown = await post(aliceBrowser, `/chat/rooms/${room.id}/invites`, { username: "nobody" }, { "hx-request": "true" });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("no such user");
  });
  test("the members panel says who is online, and htmx can ask for it again; outsiders cannot", async () => {
    const room = await createRoom(server, alice, "who is online", true);
    await invite(server, room, alice, bob);
    const socket = await connect(server, bob.token);
    await socket.emitWithAck("joinRoom", { roomId: room.id });

    const panel = await (await getPage(aliceBrowser, `/chat/rooms/${room.id}/members`, { "hx-request": "true" })).text();
    expect(panel).toStartWith(`<aside id="members"`);
    expect(panel).toContain(`data-user-id="${bob.id}" data-online="true"`);
    expect(panel).toMatch(/bob<span class="presence-label sr-only">, online<\/span>/);
    // alice has no socket in the room, but she is reading its page: online there from its first paint.
    expect(panel).toContain(`data-user-id="${alice.id}" data-online="true"`);
    const bobsView = await (await getPage(await signInBrowser(server, "bob"), `/chat/rooms/${room.id}/members`, { "hx-request": "true" })).text();
    expect(bobsView).toContain(`data-user-id="${alice.id}" data-online="false"`);
    expect((await getPage(aliceBrowser, `/chat/rooms/${room.id}`)).status).toBe(200);

    const withoutHtmx = await getPage(aliceBrowser, `/chat/rooms/${room.id}/members`);
    expect([withoutHtmx.status, withoutHtmx.headers.get("location")]).toEqual([303, `/chat/rooms/${room.id}`]);
    const stranger = await signInBrowser(server, "mallory");
    expect((await getPage(stranger, `/chat/rooms/${room.id}/members`, { "hx-request": "true" })).status).toBe(404);
  });

  test("a member leaves with the room page's button and stops hearing the room; the owner may leave too", async () => {
    const room = await createRoom(server, alice, "come and go");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const bobBrowser = await signInBrowser(server, "bob");
    expect(await (await getPage(bobBrowser, `/chat/rooms/${room.id}`)).text()).toContain("Leave room");
    expect(await (await getPage(aliceBrowser, `/chat/rooms/${room.id}`)).text()).toContain("Leave room");
    const socket = await connect(server, bob.token);
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    const heard = inbox(socket);

    const left = await post(bobBrowser, `/chat/rooms/${room.id}/leave`, {});
    expect([left.status, left.headers.get("location")]).toEqual([303, "/"]);
    await api(server, "POST", "/messages", { roomId: room.id, content: "after bob left" }, alice.token);
    await flush(socket);
    expect(heard.messages).toEqual([]);
    const members = await api(server, "GET", `/rooms/${room.id}/members`, undefined, alice.token);
    expect(members.body.map((m: { username: string }) => m.username)).toEqual(["alice"]);
    expect((await post(aliceBrowser, `/chat/rooms/${room.id}/leave`, {})).status).toBe(303);
    expect((await api(server, "GET", `/rooms/${room.id}`, undefined, alice.token)).body.ownerId).toBeNull();
  });

  test("the owner removes a member from the panel: htmx gets the panel without them; nobody else may", async () => {
    const room = await createRoom(server, alice, "pruning", true);
    for (const invitee of [bob, mallory]) await invite(server, room, alice, invitee);
    const malloryBrowser = await signInBrowser(server, "mallory");
    const before = await snapshot(server);
    expect((await post(malloryBrowser, `/chat/rooms/${room.id}/members/${bob.id}/remove`, {}, { "hx-request": "true" })).status).toBe(403);
    expect(await snapshot(server)).toEqual(before);
    expect(await (await getPage(malloryBrowser, `/chat/rooms/${room.id}/members`, { "hx-request": "true" })).text()).not.toContain("Remove");

    const removed = await post(aliceBrowser, `/chat/rooms/${room.id}/members/${bob.id}/remove`, {}, { "hx-request": "true" });
    expect(removed.status).toBe(200);
    const panel = await removed.text();
    expect(panel).toStartWith(`<aside id="members"`);
    expect(panel).toContain("Members (2)");
    expect(panel).not.toContain(`data-user-id="${bob.id}"`);
    expect(panel).toContain(`<span class="sr-only"> mallory</span>`);
    expect((await getPage(await signInBrowser(server, "bob"), `/chat/rooms/${room.id}`)).status).toBe(404);
  });

  test("without JavaScript the composer's form still sends, and a public room's Join button joins", async () => {
    const room = await createRoom(server, bob, "plain forms");
    const joined = await post(aliceBrowser, `/chat/rooms/${room.id}/join`, {});
    expect(joined.status).toBe(303);
    const sent = await post(aliceBrowser, `/chat/rooms/${room.id}/messages`, { content: "no script needed" });
    expect(sent.status).toBe(303);
    expect(sent.headers.get("location")).toBe(`/chat/rooms/${room.id}`);
    const history = await api(server, "GET", `/messages/${room.id}`, undefined, bob.token);
    expect(history.body.map((m: { username: string; content: string }) => [m.username, m.content])).toEqual([["alice", "no script needed"]]);
  });
});

describe("forms refuse text that is not well formed, in their own words", () => {
  /** A form post sent exactly as given: bytes no browser would send. */
  const postRaw = (path: string, body: string, type: string) =>
    fetch(server.base + path, { method: "POST", redirect: "manual", headers: { "content-type": type, origin: server.base, cookie: aliceBrowser.cookie }, body });
  const alertOf = async (response: Response) => (await response.text()).match(/role="alert">([^<]*)</)?.[1];

  // The composer's text goes to the database in a batch with other people's messages.
  test("the composer refuses a NUL character with a 400 page, and stores nothing", async () => {
    const room = await createRoom(server, alice, "nul composer");
    const before = await snapshot(server);
    const sent = await post(aliceBrowser, `/chat/rooms/${room.id}/messages`, { content: "nul\u0000byte" });
    expect(sent.status).toBe(400);
    expect(await alertOf(sent)).toContain("without NUL characters");
    expect(await snapshot(server)).toEqual(before);
  });

  test("a multipart form that cannot be read gets a 400 page, not an error", async () => {
    const before = await snapshot(server);
    const sent = await postRaw("/chat/rooms", '--other\r\ncontent-disposition: form-data; name="name"\r\n\r\nroom\r\n--other--\r\n', "multipart/form-data; boundary=fuzz");
    expect(sent.status).toBe(400);
    expect(await alertOf(sent)).toBe("The form could not be read.");
    expect(await snapshot(server)).toEqual(before);
  });

  test("signing in with a NUL character in the username shows the sign-in form with the reason", async () => {
    const response = await postForm(server, "/signin", { username: "ali\u0000ce", password: "correct horse battery" }, { "hx-request": "true" });
    expect(response.status).toBe(400);
    expect(response.headers.get("set-cookie")).toBeNull();
    const fragment = await response.text();
    expect(fragment).toStartWith(`<section id="sign-in"`);
    expect(fragment).toContain("username must be 1-256 characters without NUL characters");
  });
});

describe("the sidebar and people", () => {
  const send = (person: Person, roomId: string, content: string) => api(server, "POST", "/messages", { roomId, content }, person.token);

  test("every page's sidebar lists your rooms and direct messages by name, with what is unread, a badge for mentions, and the total in the title", async () => {
    const [quinn, rita] = await people(server, "quinn", "rita");
    const quinnBrowser = await signInBrowser(server, "quinn");
    const zebra = await createRoom(server, rita, "Zebra talk");
    await api(server, "POST", `/rooms/${zebra.id}/join`, undefined, quinn.token);
    const apple = await createRoom(server, rita, "apple pie", true);
    await invite(server, apple, rita, quinn);
    const notMine = await createRoom(server, rita, "not mine yet");
    const direct = await api(server, "POST", "/dms", { username: "quinn" }, rita.token);
    await send(rita, direct.body.id, "psst");
    await send(rita, zebra.id, "hello all");
    await send(rita, zebra.id, "@quinn have a look");
    await send(quinn, apple.id, "my own words are never unread");

    const home = await (await getPage(quinnBrowser, "/")).text();
    const zebraPath = `/chat/rooms/${zebra.id}`;
    expect(await sidebarOf(home)).toEqual({
      rooms: [
        { name: "apple pie", href: `/chat/rooms/${apple.id}`, unread: 0, mentions: 0, mentionBadge: false, current: false },
        { name: "Zebra talk", href: zebraPath, unread: 2, mentions: 1, mentionBadge: true, current: false },
      ],
      direct: [{ name: "rita", href: `/chat/rooms/${direct.body.id}`, unread: 1, mentions: 0, mentionBadge: false, current: false }],
    });
    expect(titleOf(home)).toBe("(3) Rooms · ChatLoop");
    expect(home).toContain(`aria-label="Join not mine yet"`); // a room to join is the home page's, not the sidebar's
    expect(home).not.toContain(`id="conversation-${notMine.id}"`);

    // In a room, its link is the current one, also on the room's other pages (a message's delete confirmation).
    const roomPage = await (await getPage(quinnBrowser, zebraPath)).text();
    expect((await sidebarOf(roomPage)).rooms.map((r) => [r.name, r.current])).toEqual([
      ["apple pie", false],
      ["Zebra talk", true],
    ]);
    expect(titleOf(roomPage)).toBe("(3) Zebra talk · ChatLoop");

    expect((await api(server, "POST", `/rooms/${zebra.id}/read`, { seq: 2 }, quinn.token)).status).toBe(200);
    const after = await (await getPage(quinnBrowser, "/")).text();
    expect((await sidebarOf(after)).rooms[1]).toEqual({ name: "Zebra talk", href: zebraPath, unread: 0, mentions: 0, mentionBadge: false, current: false });
    expect(titleOf(after)).toBe("(1) Rooms · ChatLoop");
  });

  test("htmx gets the sidebar's lists alone, with the page it asks from still current; a browser gets home", async () => {
    const room = await createRoom(server, alice, "lists alone");
    const roomUrl = `${server.base}/chat/rooms/${room.id}`;
    const lists = await (await getPage(aliceBrowser, "/chat/sidebar", { "hx-request": "true", "hx-current-url": roomUrl })).text();
    expect(lists).toStartWith(`<div id="conversations"`);
    expect((await sidebarOf(lists)).rooms.filter((r) => r.current).map((r) => r.name)).toEqual(["lists alone"]);
    const page = await getPage(aliceBrowser, "/chat/sidebar");
    expect([page.status, page.headers.get("location")]).toEqual([303, "/"]);
  });

  test("the people page finds people by part of their name, each with a button that messages them; htmx gets the same fragment", async () => {
    await people(server, "tara.b", "otto_tar", "zed");
    const found = await (await getPage(aliceBrowser, "/chat/people?query=TAR")).text();
    const names = (page: string) => [...page.matchAll(/name="username" value="([^"]+)"/g)].map((m) => m[1]);
    expect(names(found)).toEqual(["tara.b", "otto_tar"]); // those whose name starts with it first
    expect(found).toContain(`<span class="sr-only"> tara.b</span>`);
    expect(found).toContain(`value="TAR"`);
    expect(found).toContain("2 people found for “TAR”.");
    const fragment = await (await getPage(aliceBrowser, "/chat/people?query=TAR", { "hx-request": "true" })).text();
    expect(fragment).toStartWith(`<section id="people"`);
    expect(found).toContain(fragment);
    const hostile = await (await getPage(aliceBrowser, `/chat/people?query=${encodeURIComponent(`"><script>alert(1)</script>`)}`)).text();
    expect(hostile).toContain(`value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`);
    expect(hostile).not.toContain("<script>alert");
    const everyone = names(await (await getPage(aliceBrowser, "/chat/people")).text());
    expect(everyone).toContain("zed");
    expect(everyone).toContain("alice"); // yourself too: a room of your own for notes
  });

  test("Message opens the direct room with someone, the same one every time, in both people's sidebars; an unknown name shows the people page with the reason", async () => {
    const [uma] = await people(server, "uma", "victor");
    const opened = await post(aliceBrowser, "/chat/dms", { username: "Victor" });
    expect(opened.status).toBe(303);
    const roomPath = opened.headers.get("location")!;
    expect(roomPath).toMatch(/^\/chat\/rooms\/[0-9a-f-]{36}$/);
    expect((await post(aliceBrowser, "/chat/dms", { username: "victor" })).headers.get("location")).toBe(roomPath);
    expect((await post(aliceBrowser, "/chat/dms", { username: "victor" }, { "hx-request": "true" })).headers.get("hx-redirect")).toBe(roomPath);

    const alicePage = await (await getPage(aliceBrowser, roomPath)).text();
    expect((await sidebarOf(alicePage)).direct.filter((d) => d.name === "victor")).toEqual([
      { name: "victor", href: roomPath, unread: 0, mentions: 0, mentionBadge: false, current: true },
    ]);
    expect((await sidebarOf(await (await getPage(await signInBrowser(server, "victor"), "/")).text())).direct.map((d) => d.name)).toContain("alice");
    expect((await sidebarOf(await (await getPage(await signInBrowser(server, uma.username), "/")).text())).direct).toEqual([]);

    const before = await snapshot(server);
    const unknown = await post(aliceBrowser, "/chat/dms", { username: "nobody_here" });
    expect(unknown.status).toBe(400);
    const page = await unknown.text();
    expect(page).toContain(`<section id="people"`);
    expect(page).toMatch(/role="alert"[^>]*>no such user</);
    const invalid = await post(aliceBrowser, "/chat/dms", { username: "<b>" }, { "hx-request": "true" });
    expect([invalid.status, invalid.headers.get("hx-retarget"), invalid.headers.get("hx-reswap")]).toEqual([400, "#main", "innerHTML"]);
    expect(await invalid.text()).toContain("username must be 3-32 characters");
    expect(await snapshot(server)).toEqual(before);
  });
});

describe("escaping", () => {
  test("hostile room names and messages show as text in pages", async () => {
    const created = await post(aliceBrowser, "/chat/rooms", { name: `<img src=x onerror=alert(1)> hx-get="/x"` });
    expect(created.status).toBe(303);
    const roomPath = created.headers.get("location")!;
    const roomId = roomPath.split("/").at(-1)!;
    await api(server, "POST", "/messages", { roomId, content: HOSTILE }, alice.token);
    const page = await (await getPage(aliceBrowser, roomPath)).text();
    expectNoHostileMarkup(page);
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt; hx-get=&quot;/x&quot;");
    const home = await (await getPage(aliceBrowser, "/")).text();
    expect((await sidebarOf(home)).rooms.map((r) => r.name)).toContain("&lt;img src=x onerror=alert(1)&gt; hx-get=&quot;/x&quot;");
    expect(home).not.toContain("<img src=x");
  });

  test("http(s) links become safe links; other schemes stay text", async () => {
    const room = await createRoom(server, alice, "links");
    const content = `see https://example.com/a?b=1&c="2" and javascript:alert(1) or <https://example.org/x>.`;
    await api(server, "POST", "/messages", { roomId: room.id, content }, alice.token);
    const page = await (await getPage(aliceBrowser, `/chat/rooms/${room.id}`)).text();
    // The quotes stay in the link (markdown-it's linkify), percent-encoded in its href: no way out of the attribute.
    expect(page).toContain(`<a href="https://example.com/a?b=1&amp;c=%222%22" rel="noopener noreferrer nofollow" target="_blank"`);
    expect(page).toContain(`<a href="https://example.org/x" rel="noopener noreferrer nofollow" target="_blank"`);
    expect(page).not.toContain(`href="javascript`);
  });

  test("the live html field of a browser socket is escaped the same way, and JSON sockets get no html field", async () => {
    const room = await createRoom(server, alice, "live escaping");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const browserSocket = await htmlSocket(server, { token: bob.token });
    const jsonSocket = await connect(server, alice.token);
    await browserSocket.emitWithAck("joinRoom", { roomId: room.id });
    await jsonSocket.emitWithAck("joinRoom", { roomId: room.id });
    const [live, plain] = [next(browserSocket, "newMessage"), next(jsonSocket, "newMessage")];
    const sent = await api(server, "POST", "/messages", { roomId: room.id, content: HOSTILE }, alice.token);
    const withHtml = (await live) as { html: string };
    expect(await plain).toEqual(sent.body);
    expect(withHtml).toEqual({ ...sent.body, html: expect.any(String) });
    expectNoHostileMarkup(withHtml.html);
    expect(withHtml.html).toStartWith(`<li id="message-${sent.body.id}"`);
    browserSocket.close();
  });

  test("a replay to a browser socket carries the fragment too, in seq order", async () => {
    const room = await createRoom(server, alice, "replay html");
    for (const n of [1, 2, 3]) await api(server, "POST", "/messages", { roomId: room.id, content: `m${n}` }, alice.token);
    const socket = await htmlSocket(server, { token: alice.token });
    const heard = inbox(socket);
    await socket.emitWithAck("joinRoom", { roomId: room.id, after: 1 });
    const replayed = (await heard.until(2)) as unknown as { seq: number; html: string }[];
    expect(replayed.map((m) => m.seq)).toEqual([2, 3]);
    expect(replayed[0]!.html).toContain("m2");
    socket.close();
  });

  test("a member removed by the owner stops hearing the room on a browser socket", async () => {
    const room = await createRoom(server, alice, "removal", true);
    await invite(server, room, alice, bob);
    const socket = await htmlSocket(server, { token: bob.token });
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    const heard = inbox(socket);
    expect((await api(server, "DELETE", `/rooms/${room.id}/members/${bob.id}`, undefined, alice.token)).status).toBe(204);
    await api(server, "POST", "/messages", { roomId: room.id, content: "bob is gone" }, alice.token);
    await socket.emitWithAck("leaveRoom", { roomId: "flush" });
    expect(heard.messages).toEqual([]);
    socket.close();
  });
});

describe("the log reads like a conversation without JavaScript", () => {
  /** The log of a room page, in order: day separators, the divider, and each message's sender, "+" when grouped. */
  async function outline(browser: Browser, roomId: string, names: Record<string, string>) {
    const page = await (await getPage(browser, `/chat/rooms/${roomId}`)).text();
    const log = page.slice(page.indexOf(`<ol id="messages">`), page.indexOf("</ol>"));
    const items = log.matchAll(
      /<li class="day-separator"[^>]*><h2>([^<]*)<\/h2>|<li id="unread-divider"|<li id="message-[^"]+"[^>]* data-sender-id="([^"]+)"[^>]* data-grouped="(true|false)"/g,
    );
    return [...items].map(([item, day, sender, grouped]) =>
      day ? `-- ${day} --` : sender ? `${grouped === "true" ? "+" : ""}${names[sender]}` : item.includes("unread") ? "-- New messages --" : item,
    );
  }

  test("a separator begins each day (in UTC), and one person's messages within 5 minutes share one name", async () => {
    const room = await createRoom(server, alice, "days and turns");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const today = new Date(new Date().toISOString().slice(0, 10));
    const at = (days: number, minutes: number) => new Date(today.getTime() + days * 86_400_000 + minutes * 60_000);
    const log: [Person, Date][] = [
      [alice, new Date("2024-02-29T10:00:00Z")],
      [alice, new Date("2024-02-29T10:04:59Z")], // within 5 minutes: grouped
      [alice, at(-1, 12 * 60)], // the same person, but another day
      [alice, at(0, 1)],
      [alice, at(0, 3)],
      [bob, at(0, 4)], // someone else
      [bob, at(0, 10)], // 6 minutes later
      [bob, at(0, 11)],
    ];
    for (const [person, time] of log) {
      const sent = await api(server, "POST", "/messages", { roomId: room.id, content: `at ${time.toISOString()}` }, person.token);
      await server.sql`update messages set created_at = ${time} where id = ${sent.body.id}`;
    }
    expect(await outline(aliceBrowser, room.id, { [alice.id]: "alice", [bob.id]: "bob" })).toEqual([
      "-- Thursday, February 29, 2024 --",
      "alice",
      "+alice",
      "-- Yesterday --",
      "alice",
      "-- Today --",
      "alice",
      "+alice",
      "-- New messages --",
      "bob",
      "bob",
      "+bob", // alice has not read bob's yet
    ]);
  });

  test("the 'New messages' divider comes before the first message from someone else the reader has not read, and breaks a group", async () => {
    const room = await createRoom(server, alice, "divider");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const bobBrowser = await signInBrowser(server, "bob");
    const names = { [alice.id]: "alice", [bob.id]: "bob" };
    const sent = [];
    for (const content of ["one", "two", "three", "four"]) sent.push((await api(server, "POST", "/messages", { roomId: room.id, content }, alice.token)).body);
    await api(server, "POST", `/rooms/${room.id}/read`, { seq: 2 }, bob.token);
    expect(await outline(bobBrowser, room.id, names)).toEqual(["-- Today --", "alice", "+alice", "-- New messages --", "alice", "+alice"]);
    expect(await outline(aliceBrowser, room.id, names)).toEqual(["-- Today --", "alice", "+alice", "+alice", "+alice"]); // all hers

    // Without JavaScript, "Mark unread" on a message is a form: the marker goes back to just before it.
    const unread = await post(bobBrowser, `/chat/rooms/${room.id}/messages/${sent[1].id}/unread`, {});
    expect([unread.status, unread.headers.get("location")]).toEqual([303, `/chat/rooms/${room.id}#message-${sent[1].id}`]);
    const listed = (await api(server, "GET", "/rooms", undefined, bob.token)).body.find((r: { id: string }) => r.id === room.id);
    expect([listed.lastReadSeq, listed.unreadCount]).toEqual([1, 3]);
    expect(await outline(bobBrowser, room.id, names)).toEqual(["-- Today --", "alice", "-- New messages --", "alice", "+alice", "+alice"]);
    // Writing is reading: bob's own message leaves nothing unread, so there is no divider.
    await api(server, "POST", "/messages", { roomId: room.id, content: "read them all" }, bob.token);
    expect(await outline(bobBrowser, room.id, names)).toEqual(["-- Today --", "alice", "+alice", "+alice", "+alice", "bob"]);
  });
});

describe("conversations without JavaScript", () => {
  test("the notification menu shows the level in effect and sets it: a page post redirects, htmx gets the form back", async () => {
    const room = await createRoom(server, alice, "notify me");
    const selected = (page: string) => page.match(/<option value="(\w+)" selected>/)?.[1];
    expect(selected(await (await getPage(aliceBrowser, `/chat/rooms/${room.id}`)).text())).toBe("mentions"); // a public room's default
    const posted = await post(aliceBrowser, `/chat/rooms/${room.id}/notify`, { level: "none" });
    expect([posted.status, posted.headers.get("location")]).toEqual([303, `/chat/rooms/${room.id}`]);
    expect(selected(await (await getPage(aliceBrowser, `/chat/rooms/${room.id}`)).text())).toBe("none");
    const swapped = await post(aliceBrowser, `/chat/rooms/${room.id}/notify`, { level: "all" }, { "hx-request": "true" });
    const form = await swapped.text();
    expect(form).toStartWith(`<form id="notify-form"`);
    expect(selected(form)).toBe("all");
    expect((await api(server, "GET", "/rooms", undefined, alice.token)).body.find((r: { id: string }) => r.id === room.id).notify).toBe("all");
    expect((await post(aliceBrowser, `/chat/rooms/${room.id}/notify`, { level: "loud" })).status).toBe(400);
    const bobBrowser = await signInBrowser(server, "bob"); // not a member: no menu, and no setting it
    expect(await (await getPage(bobBrowser, `/chat/rooms/${room.id}`)).text()).not.toContain("notify-form");
    expect((await post(bobBrowser, `/chat/rooms/${room.id}/notify`, { level: "all" })).status).toBe(403);
  });

  test("a direct room is headed by the other person, has no leave, invite or owner controls, and says 'Seen' under your last message they read", async () => {
    const direct = (await api(server, "POST", "/dms", { username: "bob" }, alice.token)).body;
    const said = [];
    for (const content of ["hi bob", "are you there?"]) said.push((await api(server, "POST", "/messages", { roomId: direct.id, content }, alice.token)).body);
    await api(server, "POST", `/rooms/${direct.id}/read`, { seq: said[0].seq }, bob.token);
    const page = await (await getPage(aliceBrowser, `/chat/rooms/${direct.id}`)).text();
    expect(page).toContain(
      `<h1 id="room-heading" class="text-xl font-bold wrap-anywhere"><span id="room-name">bob</span> <span class="text-sm font-normal text-slate-600 dark:text-slate-300">(direct message)</span></h1>`,
    );
    for (const absent of ["Leave room", "Invite someone", "Remove", "(owner)", `action="/chat/dms"`]) expect(page).not.toContain(absent);
    const item = (id: string) => page.slice(page.indexOf(`<li id="message-${id}"`), page.indexOf("</li>", page.indexOf(`<li id="message-${id}"`)));
    expect(item(said[0].id)).toContain(`<p class="seen-receipt">Seen</p>`);
    expect(item(said[1].id)).not.toContain("Seen");
    // In a room, each other member has a Message button: a form that opens the direct room with them.
    const room = await createRoom(server, alice, "say hi privately");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const roomPage = await (await getPage(aliceBrowser, `/chat/rooms/${room.id}`)).text();
    expect(roomPage).toMatch(/<form method="post" action="\/chat\/dms">\s*<input type="hidden" name="username" value="bob">/);
    expect(roomPage.match(/action="\/chat\/dms"/g)).toHaveLength(1); // not for herself
  });
});

describe("what people do to messages", () => {
  const reactionsPath = (room: { id: string }, messageId: string) => `/chat/rooms/${room.id}/messages/${messageId}/reactions`;
  const deletePath = (room: { id: string }, messageId: string) => `/chat/rooms/${room.id}/messages/${messageId}/delete`;
  const send = async (person: Person, roomId: string, content: string, replyToId?: string) =>
    (await api(server, "POST", "/messages", { roomId, content, ...(replyToId ? { replyToId } : {}) }, person.token)).body;

  test("the fragment shows edits, deletions, reactions, replies and mentions, with every user's text escaped", async () => {
    const room = await createRoom(server, alice, "changes shown");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const mention = await send(alice, room.id, `@bob ${HOSTILE}`);
    const answer = await send(bob, room.id, `first draft`, mention.id);
    await api(server, "PATCH", `/messages/${answer.id}`, { content: `re: ${HOSTILE}` }, bob.token);
    await api(server, "PUT", `/messages/${mention.id}/reactions/${encodeURIComponent("👍")}`, undefined, bob.token);
    const gone = await send(alice, room.id, "secret said by mistake");
    await api(server, "DELETE", `/messages/${gone.id}`, undefined, alice.token);
    const { lastSeq, lastRev } = (await server.sql`select last_seq as "lastSeq", last_rev as "lastRev" from rooms where id = ${room.id}`)[0]!;

    const page = await (await getPage(aliceBrowser, `/chat/rooms/${room.id}`)).text();
    expectNoHostileMarkup(page);
    expect(page).toContain(`data-viewer-id="${alice.id}" data-owner-id="${alice.id}" data-viewer-admin="false" data-last-seq="${lastSeq}" data-last-rev="${lastRev}"`);
    const item = (id: string) => page.slice(page.indexOf(`<li id="message-${id}"`), page.indexOf("</li>\n", page.indexOf(`<li id="message-${id}"`)));
    // The mention: marked, with whom it mentions for the page to compare with its reader; and bob's reaction.
    expect(item(mention.id)).toContain(`data-mentions="${bob.id}"`);
    expect(item(mention.id)).toMatch(/<span class="mention[^"]*">@bob<\/span> &lt;script&gt;/);
    expect(item(mention.id)).toMatch(new RegExp(`<button name="emoji" value="👍" data-user-ids="${bob.id}" title="1 person reacted with 👍"`));
    // The answer: edited, quoting the message it answers (escaped too), linking to it.
    expect(item(answer.id)).toContain("(edited)");
    expect(item(answer.id)).toContain(`<a href="#message-${mention.id}" class="reply-quote`);
    expect(item(answer.id)).toContain(`@bob &lt;script&gt;alert(1)&lt;/script&gt;`);
    // The deletion: a tombstone, without its text or actions.
    expect(item(gone.id)).toContain("This message was deleted");
    expect(item(gone.id)).not.toContain("data-action");
    expect(page).not.toContain("secret said by mistake");

    // Live, to a browser socket: the same template, escaped the same way.
    const socket = await htmlSocket(server, { token: bob.token });
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    const updated = next(socket, "messageUpdated");
    await api(server, "PATCH", `/messages/${mention.id}`, { content: `@bob again ${HOSTILE}` }, alice.token);
    const { html } = (await updated) as { html: string };
    expectNoHostileMarkup(html);
    expect(html).toStartWith(`<li id="message-${mention.id}"`);
    expect(html).toContain("(edited)");
    socket.close();
  });

  test("without JavaScript a member reacts and takes it back with the reaction forms, and the sender deletes after a confirmation page", async () => {
    const room = await createRoom(server, alice, "plain reactions");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const bobBrowser = await signInBrowser(server, "bob");
    const message = await send(alice, room.id, "react to me");
    const reactions = async () => (await api(server, "GET", `/messages/${room.id}`, undefined, alice.token)).body[0].reactions;

    const reacted = await post(bobBrowser, reactionsPath(room, message.id), { emoji: "🎉" });
    expect([reacted.status, reacted.headers.get("location")]).toEqual([303, `/chat/rooms/${room.id}#message-${message.id}`]);
    expect(await reactions()).toEqual([{ emoji: "🎉", count: 1, userIds: [bob.id] }]);
    expect((await post(bobBrowser, reactionsPath(room, message.id), { emoji: "🎉" })).status).toBe(303);
    expect(await reactions()).toEqual([]);

    const confirmation = await getPage(aliceBrowser, deletePath(room, message.id));
    expect(confirmation.status).toBe(200);
    const form = await confirmation.text();
    expect(form).toContain("Delete this message?");
    expect(form).toContain("react to me");
    expect(form).toContain(`<form method="post" action="${deletePath(room, message.id)}"`);
    const deleted = await post(aliceBrowser, deletePath(room, message.id), {});
    expect([deleted.status, deleted.headers.get("location")]).toEqual([303, `/chat/rooms/${room.id}#message-${message.id}`]);
    const [after] = (await api(server, "GET", `/messages/${room.id}`, undefined, alice.token)).body;
    expect([after.content, after.deletedAt]).toEqual(["", expect.any(String)]);
  });

  test("the message forms refuse outsiders, other people's messages and other rooms' messages, and change nothing", async () => {
    const secret = await createRoom(server, alice, "secret changes", true);
    await invite(server, secret, alice, bob);
    const open = await createRoom(server, alice, "open changes");
    const inSecret = await send(alice, secret.id, "alice's");
    const bobs = await send(bob, secret.id, "bob's");
    const inOpen = await send(alice, open.id, "in the open");
    const [bobBrowser, malloryBrowser] = [await signInBrowser(server, "bob"), await signInBrowser(server, "mallory")];
    const before = await snapshot(server);

    const refusals: [Promise<Response>, number][] = [
      // Someone not in a private room: it does not exist for them.
      [getPage(malloryBrowser, deletePath(secret, inSecret.id)), 404],
      [post(malloryBrowser, deletePath(secret, inSecret.id), {}), 404],
      [post(malloryBrowser, reactionsPath(secret, inSecret.id), { emoji: "👍" }), 404],
      // Someone not in a public room may read it, not react.
      [post(malloryBrowser, reactionsPath(open, inOpen.id), { emoji: "👍" }), 403],
      // A member who is neither the sender nor the owner.
      [getPage(bobBrowser, deletePath(secret, inSecret.id)), 403],
      [post(bobBrowser, deletePath(secret, inSecret.id), {}), 403],
      // A message through another room's URL, and no message at all.
      [post(aliceBrowser, deletePath(open, bobs.id), {}), 404],
      [post(aliceBrowser, reactionsPath(open, inSecret.id), { emoji: "👍" }), 404],
      [post(aliceBrowser, deletePath(secret, crypto.randomUUID()), {}), 404],
      [post(aliceBrowser, `/chat/rooms/${secret.id}/messages/not-an-id/delete`, {}), 404],
      // Not an emoji; and a post from a foreign page.
      [post(bobBrowser, reactionsPath(secret, inSecret.id), { emoji: "<b>x</b>" }), 400],
      [post(aliceBrowser, deletePath(secret, bobs.id), {}, { origin: EVIL }), 403],
    ];
    for (const [response, status] of refusals) {
      const answer = await response;
      expect([answer.url, answer.status]).toEqual([answer.url, status]);
      expect(answer.headers.get("content-type")).toStartWith("text/html");
    }
    expect(await snapshot(server)).toEqual(before);
  });

  test("the room's owner may delete anyone's message without JavaScript too", async () => {
    const room = await createRoom(server, alice, "owner deletes", true);
    await invite(server, room, alice, bob);
    const bobs = await send(bob, room.id, "moderate me");
    expect((await getPage(aliceBrowser, deletePath(room, bobs.id))).status).toBe(200);
    expect((await post(aliceBrowser, deletePath(room, bobs.id), {})).status).toBe(303);
    expect((await api(server, "GET", `/messages/${room.id}`, undefined, bob.token)).body[0].deletedAt).not.toBeNull();
  });
});

describe("assets", () => {
  test("CSS, scripts, icons and the manifest are served from /public with their types and a year of cache when versioned", async () => {
    const page = await (await getPage(aliceBrowser, `/chat/rooms/${(await createRoom(server, alice, "assets")).id}`)).text();
    const urls = [...page.matchAll(/(?:href|src)="(\/public\/[^"]+)"/g)].map((m) => m[1]!);
    expect(urls.map((u) => u.split("?")[0])).toEqual([
      "/public/icon-192.png",
      "/public/apple-touch-icon.png",
      "/public/manifest.webmanifest",
      "/public/app.css",
      "/public/htmx.min.js",
      "/public/socket.io.min.js",
      "/public/socket.js",
      "/public/sidebar.js",
      "/public/notifications.js",
      "/public/copy.js",
      "/public/timeline.js",
      "/public/chat.js",
      "/public/uploads.js",
      "/public/actions.js",
      "/public/presence.js",
      "/public/reading.js",
    ]);
    const types: Record<string, RegExp> = { css: /^text\/css/, js: /^text\/javascript/, png: /^image\/png$/, webmanifest: /^application\/manifest\+json/ };
    for (const url of urls) {
      const response = await fetch(server.base + url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(types[url.split("?")[0]!.split(".").at(-1)!]!);
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    }
    expect((await fetch(server.base + "/public/app.css")).headers.get("cache-control")).toBe("no-cache");
    expect((await fetch(server.base + "/public/nothing.js")).status).toBe(404);
  });

  test("the committed public/app.css is what Tailwind builds from views/ now", async () => {
    const out = `${require("node:os").tmpdir()}/chatloop-app-${crypto.randomUUID()}.css`;
    const build = Bun.spawnSync(["node_modules/.bin/tailwindcss", "-i", "views/app.css", "-o", out, "--minify"], { stderr: "pipe" });
    expect(build.exitCode).toBe(0);
    expect(await Bun.file(out).text()).toBe(await Bun.file("public/app.css").text());
  });
});

describe("the JSON API is unchanged", () => {
  test("the API document lists exactly the API's paths, none of the UI's", async () => {
    const spec = await (await fetch(server.base + "/openapi.json")).json();
    expect(Object.keys(spec.paths).sort()).toEqual(
      [
        "/",
        "/healthz",
        "/readyz",
        "/metrics",
        "/auth/register",
        "/auth/login",
        "/auth/logout",
        "/auth/password",
        "/rooms",
        "/rooms/{roomId}",
        "/rooms/{roomId}/join",
        "/rooms/{roomId}/leave",
        "/rooms/{roomId}/members",
        "/rooms/{roomId}/invites",
        "/rooms/{roomId}/members/{userId}",
        // GET /messages/:roomId and PATCH, DELETE /messages/:messageId: one template to OpenAPI.
        "/messages/{id}",
        "/messages",
        "/rooms/{roomId}/changes",
        "/messages/{messageId}/reactions/{emoji}",
        "/rooms/{roomId}/read",
        "/rooms/{roomId}/notify",
        "/dms",
        "/users",
        "/push/key",
        "/push/subscriptions",
        "/search",
        "/rooms/{roomId}/export",
        "/rooms/{roomId}/uploads",
        "/attachments/{attachmentId}",
        "/me/avatar",
        "/users/{userId}/avatar",
        "/auth/reset",
        "/me",
        "/admin/users",
        "/admin/users/{userId}",
        "/admin/users/{userId}/deactivate",
        "/admin/users/{userId}/reactivate",
        "/admin/users/{userId}/admin",
        "/admin/users/{userId}/reset-link",
        "/admin/join-link",
        "/tokens",
        "/tokens/{tokenId}",
        "/admin/bots",
        "/rooms/{roomId}/webhooks",
        "/rooms/{roomId}/webhooks/{webhookId}",
        "/hooks/{secret}",
        "/previews/{imageId}",
      ].sort(),
    );
  });

  test("a Bearer client sees JSON answers of the same shape as before, with the log's new fields", async () => {
    const room = await createRoom(server, alice, "api shape");
    const sent = await api(server, "POST", "/messages", { roomId: room.id, content: "hi", clientId: "shape-1" }, alice.token);
    expect(Object.keys(sent.body).sort()).toEqual([
      "attachments",
      "clientId",
      "content",
      "createdAt",
      "deletedAt",
      "editedAt",
      "id",
      "mentions",
      "previews",
      "reactions",
      "replyTo",
      "rev",
      "roomId",
      "senderId",
      "seq",
      "username",
    ]);
    const rooms = await api(server, "GET", "/rooms", undefined, alice.token);
    expect(rooms.headers.get("content-type")).toStartWith("application/json");
    expect(Object.keys(rooms.body[0]).sort()).toEqual([
      "archivedAt",
      "createdAt",
      "id",
      "isMember",
      "isPrivate",
      "kind",
      "lastReadSeq",
      "lastSeq",
      "mentionCount",
      "name",
      "notify",
      "ownerId",
      "topic",
      "unreadCount",
    ]);
    const unknown = await api(server, "GET", "/nowhere", undefined, alice.token);
    expect(unknown).toMatchObject({ status: 404, body: { code: "not_found" } });
  });
});
