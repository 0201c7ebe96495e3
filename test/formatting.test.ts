// Message formatting: the renderer on its own (what each piece of Markdown becomes, and that
// nothing hostile gets through as markup), then the pages: the history, the live fragment of a
// new message and of an edited one all come from that one renderer, while the API keeps the raw
// text and quotes of a message show its words without markup.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { plainText, renderMarkdown } from "../views/markdown";
import { type Browser, getPage, htmlSocket, signInBrowser } from "./browser";
import { api, closeSockets, createRoom, next, type Person, people, startServer, stopServer, type TestServer } from "./harness";

const render = (content: string, mentions = false) => renderMarkdown(content, mentions).value;
const LINK = `rel="noopener noreferrer nofollow" target="_blank" class="message-link"`;

describe("the renderer", () => {
  test("bold, italic, struck, inline code, code blocks, quotes and lists", () => {
    expect(render("**bold** __also__ *italic* _too_ ~~gone~~ `x < y`")).toBe(
      "<p><strong>bold</strong> <strong>also</strong> <em>italic</em> <em>too</em> <s>gone</s> <code>x &lt; y</code></p>",
    );
    expect(render("```ts\nif (a < b) {\n  go();\n}\n```")).toBe(`<pre><code class="language-ts">if (a &lt; b) {\n  go();\n}\n</code></pre>`);
    expect(render("> quoted\n\n- one\n- two\n\n1. first")).toBe("<blockquote>\n<p>quoted</p>\n</blockquote>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>first</li>\n</ol>");
  });

  test("a line break is kept where the writer pressed Enter; a blank line starts a paragraph", () => {
    expect(render("one\ntwo\n\nthree")).toBe("<p>one<br>\ntwo</p>\n<p>three</p>");
  });

  test("links and bare URLs open elsewhere with rel=noopener noreferrer nofollow; trailing punctuation stays text", () => {
    expect(render("[docs](https://example.com/a?b=1&c=2) and https://example.org/x.")).toBe(
      `<p><a href="https://example.com/a?b=1&amp;c=2" ${LINK}>docs</a> and <a href="https://example.org/x" ${LINK}>https://example.org/x</a>.</p>`,
    );
    expect(render("<https://auto.example> [mail](mailto:a@example.com)")).toBe(
      `<p><a href="https://auto.example" ${LINK}>https://auto.example</a> <a href="mailto:a@example.com" ${LINK}>mail</a></p>`,
    );
  });

  test("not in the subset, so shown as typed: headings, images, rules, tables, indented code, words that look like domains", () => {
    expect(render("# not a heading")).toBe("<p># not a heading</p>");
    expect(render("---")).toBe("<p>---</p>");
    expect(render("| a | b |\n| - | - |")).toBe("<p>| a | b |<br>\n| - | - |</p>");
    expect(render("    four spaces")).toBe("<p>four spaces</p>");
    expect(render("see README.md or www.example.com")).toBe("<p>see README.md or www.example.com</p>");
    expect(render("![a cat](https://example.com/cat.png)")).toBe(`<p>!<a href="https://example.com/cat.png" ${LINK}>a cat</a></p>`);
  });

  test("raw HTML is text, never markup", () => {
    const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)> <b hx-get="/signout" hx-trigger="load">bold</b> <a href="javascript:alert(3)">x</a>`;
    const out = render(hostile);
    expect(out).toBe(
      "<p>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &lt;b hx-get=&quot;/signout&quot; hx-trigger=&quot;load&quot;&gt;bold&lt;/b&gt; &lt;a href=&quot;javascript:alert(3)&quot;&gt;x&lt;/a&gt;</p>",
    );
    expect(render(`\`\`\`\n${hostile}\n\`\`\``)).not.toMatch(/<(script|img|b|a)\b/);
    expect(render(`**<img src=x onerror=alert(1)>**`)).toBe("<p><strong>&lt;img src=x onerror=alert(1)&gt;</strong></p>");
  });

  test("a link to anything but http(s) or mailto stays text: javascript:, data:, vbscript:, file:, relative, in any spelling", () => {
    for (const url of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      " javascript:alert(1)",
      "java%0ascript:alert(1)",
      "&#106;avascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "/signout",
      "//evil.example/x",
      "ftp://example.com",
    ]) {
      const out = render(`[click](${url})`);
      expect(out).not.toContain("<a ");
      expect(out).toStartWith("<p>[click](");
    }
    expect(render("<javascript:alert(1)>")).not.toContain("<a ");
    expect(render("javascript:alert(1) data:text/html,x")).not.toContain("<a ");
  });

  test("link text and titles cannot carry attributes: quotes are escaped and the URL is percent-encoded", () => {
    const out = render(`[x](https://example.com/"onmouseover="alert(1) "t"onclick="alert(2)") [y](https://example.com/a" onclick="b)`);
    expect(out).not.toMatch(/<a [^>]*\son(mouseover|click)=/);
    expect(render(`[x](https://example.com/ "a title")`)).toBe(`<p><a href="https://example.com/" title="a title" ${LINK}>x</a></p>`);
    expect(render(`[x](https://example.com/ "\\"><script>")`)).toBe(`<p><a href="https://example.com/" title="&quot;&gt;&lt;script&gt;" ${LINK}>x</a></p>`);
  });

  test("@mentions are marked as before, except in code; e-mail addresses are no mentions", () => {
    expect(render("hi @bob, mail a@example.com, `@carol` and **@dave**", true)).toBe(
      `<p>hi <span class="mention">@bob</span>, mail a@example.com, <code>@carol</code> and <strong><span class="mention">@dave</span></strong></p>`,
    );
    expect(render("hi @bob", false)).toBe("<p>hi @bob</p>");
    expect(render("@<img src=x onerror=alert(1)>", true)).toBe("<p>@&lt;img src=x onerror=alert(1)&gt;</p>");
  });

  test("plain text of a message: its words without markup, on one line", () => {
    expect(plainText("**bold** and `code`\n> quoted\n- item\n```\nblock\n```")).toBe("bold and code quoted item block");
    expect(plainText("[a link](https://example.com)")).toBe("a link");
    expect(plainText("<b>as typed</b>")).toBe("<b>as typed</b>");
  });
});

describe("in the pages", () => {
  let server: TestServer;
  let alice: Person, bob: Person;
  let bobBrowser: Browser;
  let room: { id: string };

  beforeAll(async () => {
    server = await startServer();
    [alice, bob] = await people(server, "alice", "bob");
    bobBrowser = await signInBrowser(server, "bob");
    room = await createRoom(server, alice, "formatting");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
  });
  afterEach(closeSockets);
  afterAll(() => stopServer(server));

  const itemOf = (page: string, id: string) => page.slice(page.indexOf(`<li id="message-${id}"`), page.indexOf("</li>\n", page.indexOf(`<li id="message-${id}"`)));

  test("the history shows a message formatted, the API keeps its raw text, and the item keeps it for editing", async () => {
    const content = `**ship it** @bob: \`npm test\` then see [the notes](https://example.com/notes?a=1&b=2)`;
    const sent = await api(server, "POST", "/messages", { roomId: room.id, content }, alice.token);
    expect(sent.body.content).toBe(content);
    expect((await api(server, "GET", `/messages/${room.id}`, undefined, bob.token)).body.at(-1).content).toBe(content);

    const item = itemOf(await (await getPage(bobBrowser, `/chat/rooms/${room.id}`)).text(), sent.body.id);
    expect(item).toContain(
      `<p><strong>ship it</strong> <span class="mention">@bob</span>: <code>npm test</code> then see <a href="https://example.com/notes?a=1&amp;b=2" ${LINK}>the notes</a></p>`,
    );
    expect(item).toContain(`<template class="message-source">**ship it** @bob: \`npm test\` then see [the notes](https://example.com/notes?a=1&amp;b=2)</template>`);
    expect(item).toContain("hx-disable");
  });

  test("a live message and a live edit arrive rendered by the same renderer as the history", async () => {
    const socket = await htmlSocket(server, { token: bob.token });
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    const arrived = next(socket, "newMessage");
    const sent = (await api(server, "POST", "/messages", { roomId: room.id, content: "> quoted\n\n*soon*" }, alice.token)).body;
    const live = (await arrived) as unknown as { html: string; content: string };
    expect(live.content).toBe("> quoted\n\n*soon*");
    expect(live.html).toContain(`${render("> quoted\n\n*soon*")}</div>`);

    const changed = next(socket, "messageUpdated");
    await api(server, "PATCH", `/messages/${sent.id}`, { content: "~~soon~~ **now** <script>alert(1)</script>" }, alice.token);
    const edited = (await changed) as unknown as { html: string };
    expect(edited.html).toContain("<p><s>soon</s> <strong>now</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>");
    expect(edited.html).not.toContain("<script>");
    const page = await (await getPage(bobBrowser, `/chat/rooms/${room.id}`)).text();
    expect(itemOf(page, sent.id)).toBe(
      edited.html.slice(0, edited.html.indexOf("</li>")).replace(/data-grouped="[a-z]+"/, itemOf(page, sent.id).match(/data-grouped="[a-z]+"/)![0]),
    );
    socket.close();
  });

  test("a reply quotes the words of the message it answers, without their markup", async () => {
    const original = (await api(server, "POST", "/messages", { roomId: room.id, content: "**big** news: `v2` is out" }, alice.token)).body;
    const answer = (await api(server, "POST", "/messages", { roomId: room.id, content: "yay", replyToId: original.id }, bob.token)).body;
    const item = itemOf(await (await getPage(bobBrowser, `/chat/rooms/${room.id}`)).text(), answer.id);
    expect(item).toContain(`<span class="font-semibold">alice</span>: big news: v2 is out</a>`);
  });
});
