// Link previews: after a message is stored, the pages of its links are fetched (through the
// guarded fetcher), and their title, description and image are added as a change that takes a
// rev, heard as messageUpdated; the image is served from ChatLoop itself.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import type { Message } from "../src/messages/schemas";
import { linksIn } from "../src/previews/unfurl";
import { htmlSocket } from "./browser";
import { api, closeSockets, connect, createRoom, error, next, type Person, people, reply, startServer, stopServer, type TestServer } from "./harness";

// The smallest PNG: one transparent pixel.
const PIXEL = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

let server: TestServer;
let site: ReturnType<typeof Bun.serve>;
let alice: Person, bob: Person;

beforeAll(async () => {
  site = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const { pathname } = new URL(request.url);
      if (pathname === "/article")
        return new Response(
          `<html><head><title>plain title</title><meta property="og:title" content="Cats &amp; <dogs>"><meta property="og:description" content="A study."><meta property="og:image" content="/pixel.png"></head><body>hi</body></html>`,
          { headers: { "content-type": "text/html; charset=utf-8" } },
        );
      if (pathname === "/pixel.png") return new Response(PIXEL, { headers: { "content-type": "image/png" } });
      if (pathname === "/moved") return Response.redirect("/article", 302);
      return new Response("just text", { headers: { "content-type": "text/plain" } });
    },
  });
  server = await startServer({ linkPreviews: true });
  [alice, bob] = await people(server, "alice", "bob"); // alice, first, is the site admin
});
afterEach(closeSockets);
afterAll(async () => {
  await stopServer(server);
  site.stop(true);
});

test("links are found in the text: at most three, distinct, without the sentence's punctuation", () => {
  expect(linksIn("see https://a.example/x, and (http://b.example/y). https://a.example/x https://c.example https://d.example")).toEqual([
    "https://a.example/x",
    "http://b.example/y",
    "https://c.example",
  ]);
  expect(linksIn("no links, ftp://x.example or javascript:alert(1)")).toEqual([]);
});

test("a message's links are previewed after it is stored: a messageUpdated that takes a rev, with the image served from ChatLoop", async () => {
  const room = await createRoom(server, alice, "reading list", true);
  const socket = await connect(server, alice.token);
  await socket.emitWithAck("joinRoom", { roomId: room.id });
  const updated = next(socket, "messageUpdated");
  const base = `http://127.0.0.1:${site.port}`;
  const sent = (await api(server, "POST", "/messages", { roomId: room.id, content: `read ${base}/moved and ${base}/plain.txt` }, alice.token)).body as Message;
  expect(sent.previews).toEqual([]);

  const changed = (await updated) as Message;
  expect(changed.id).toBe(sent.id);
  expect(changed.rev).toBe(sent.rev + 1);
  expect(changed.previews).toEqual([{ url: `${base}/moved`, title: "Cats & <dogs>", description: "A study.", imageUrl: expect.stringMatching(/^\/previews\/[0-9a-f-]{36}$/) }]);
  const history = await api(server, "GET", `/messages/${room.id}`, undefined, alice.token);
  expect(history.body[0]).toEqual(changed);

  const image = await fetch(server.base + changed.previews[0]!.imageUrl, { headers: { authorization: `Bearer ${alice.token}` } });
  expect(image.status).toBe(200);
  expect(image.headers.get("content-type")).toBe("image/png");
  expect(image.headers.get("x-content-type-options")).toBe("nosniff");
  expect(Buffer.from(await image.arrayBuffer())).toEqual(PIXEL);
  // Someone who may not read the private room hears there is no such image.
  expect(reply(await api(server, "GET", changed.previews[0]!.imageUrl!, undefined, bob.token))).toEqual({ status: 404, body: error("image_not_found") });
  expect(reply(await api(server, "GET", changed.previews[0]!.imageUrl!))).toEqual({ status: 401, body: error("missing_token") });
});

test("a browser's socket gets the preview in the message's fragment, escaped", async () => {
  const room = await createRoom(server, alice, "html previews");
  const browser = await htmlSocket(server, { token: alice.token });
  await browser.emitWithAck("joinRoom", { roomId: room.id });
  const updated = next(browser, "messageUpdated");
  await api(server, "POST", "/messages", { roomId: room.id, content: `http://127.0.0.1:${site.port}/article` }, alice.token);
  const { html } = (await updated) as Message & { html: string };
  browser.close();
  expect(html).toContain("Cats &amp; &lt;dogs&gt;");
  expect(html).toMatch(/<img src="\/previews\/[0-9a-f-]{36}"/);
});
