// Search and export, by real clients over HTTP: words, phrases, a prefix, parts of words,
// addresses, URLs and hyphenated terms; only what the searcher may read; the current text only;
// highlights escaped; paging; and a room's history streamed as a file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Message } from "../src/messages/schemas";
import { getPage, signInBrowser } from "./browser";
import { api, createRoom, error, invite, type Person, people, reply, startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;
let alice: Person, bob: Person, carol: Person;

beforeAll(async () => {
  server = await startServer();
  [alice, bob, carol] = await people(server, "alice", "bob", "carol");
});
afterAll(() => stopServer(server));

/** A word no other test writes: every search below names its own, so tests never see each other's messages. */
const uniqueWord = () => `w${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;

async function post(person: Person, room: { id: string }, content: string): Promise<Message> {
  const sent = await api(server, "POST", "/messages", { roomId: room.id, content }, person.token);
  if (sent.status !== 201) throw new Error(`post: ${JSON.stringify(sent.body)}`);
  return sent.body;
}

const search = (person: Person, params: Record<string, string>) => api(server, "GET", `/search?${new URLSearchParams(params)}`, undefined, person.token);
/** The contents found, newest first. */
const found = async (person: Person, q: string, params: Record<string, string> = {}) => {
  const answer = await search(person, { q, ...params });
  expect(answer.status).toBe(200);
  return (answer.body as Message[]).map((m) => m.content);
};

describe("search", () => {
  test("finds every word, a phrase in order, and the last word as a prefix; newest first", async () => {
    const room = await createRoom(server, alice, "search-words");
    const tag = uniqueWord();
    await post(alice, room, `${tag} the quick brown fox jumps`);
    await post(alice, room, `${tag} quick thinking`);
    await post(alice, room, `${tag} brown bread, then a fox`);
    expect(await found(bob, `${tag} quick`)).toEqual([`${tag} quick thinking`, `${tag} the quick brown fox jumps`]);
    expect(await found(bob, `${tag} brown fox`)).toEqual([`${tag} brown bread, then a fox`, `${tag} the quick brown fox jumps`]);
    expect(await found(bob, `${tag} "brown fox"`)).toEqual([`${tag} the quick brown fox jumps`]);
    expect(await found(bob, `${tag} "fox brown"`)).toEqual([]);
    // Two letters are too short to be looked for inside words: this is the prefix of the full-text search alone.
    expect(await found(bob, `${tag} ju`)).toEqual([`${tag} the quick brown fox jumps`]);
    expect(await found(bob, `${tag} thi`)).toEqual([`${tag} quick thinking`]);
    expect(await found(bob, `${tag} -quick`)).toEqual([`${tag} brown bread, then a fox`]);
    expect(await found(bob, `${tag} thinking or bread`)).toEqual([`${tag} brown bread, then a fox`, `${tag} quick thinking`]);
    expect(await found(bob, `${tag.toUpperCase()} QUICK Thinking`)).toEqual([`${tag} quick thinking`]);
  });

  test("finds parts of words, e-mail addresses, URLs and hyphenated terms", async () => {
    const room = await createRoom(server, alice, "search-parts");
    const tag = uniqueWord();
    const deploy = `${tag} we redeployed the service`;
    const mail = `${tag} write to bob.smith@example.com about it`;
    const url = `${tag} see https://docs.example.org/guide/setup-page?step=2 first`;
    const hyphen = `${tag} a state-of-the-art design`;
    for (const content of [deploy, mail, url, hyphen]) await post(alice, room, content);
    expect(await found(bob, `${tag} deploy`)).toEqual([deploy]);
    expect(await found(bob, "bob.smith@example.com")).toEqual([mail]);
    expect(await found(bob, `${tag} example.com`)).toEqual([mail]);
    expect(await found(bob, `${tag} smith@exam`)).toEqual([mail]);
    expect(await found(bob, "https://docs.example.org/guide/setup-page?step=2")).toEqual([url]);
    expect(await found(bob, `${tag} example.org/guide`)).toEqual([url]);
    expect(await found(bob, `${tag} setup-page`)).toEqual([url]);
    expect(await found(bob, `${tag} state-of-the-art`)).toEqual([hyphen]);
    expect(await found(bob, `${tag} of-the-ar`)).toEqual([hyphen]);
    expect(await found(bob, `${tag} example`)).toEqual([url, mail]);
    // % and _ are letters to look for, not patterns.
    expect(await found(bob, `${tag} s%e`)).toEqual([]);
  });

  test("results are the message objects of GET /messages, with the matches highlighted in escaped HTML", async () => {
    const room = await createRoom(server, alice, "search-shape");
    const tag = uniqueWord();
    const hostile = await post(alice, room, `<b onclick="x()">${tag}</b> & "quotes" \u0001not a marker\u0002 redeployed`);
    const [history, answer] = await Promise.all([api(server, "GET", `/messages/${room.id}`, undefined, bob.token), search(bob, { q: `${tag} deploy` })]);
    expect(answer.status).toBe(200);
    const [{ highlight, ...message }] = answer.body;
    expect(message).toEqual(history.body.find((m: Message) => m.id === hostile.id));
    expect(highlight).toBe(`&lt;b onclick=&quot;x()&quot;&gt;<mark>${tag}</mark>&lt;/b&gt; &amp; &quot;quotes&quot; not a marker re<mark>deploy</mark>ed`);
  });

  test("a long message is highlighted by the part around its match", async () => {
    const room = await createRoom(server, alice, "search-long");
    const tag = uniqueWord();
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");
    await post(alice, room, `${filler(150)} ${tag} ${filler(150)}`);
    const [found] = (await search(bob, { q: tag })).body;
    expect(found.highlight).toContain(`<mark>${tag}</mark>`);
    expect(found.highlight.length).toBeLessThan(found.content.length / 3);
  });

  test("deleted messages never match; edited ones match their new text only", async () => {
    const room = await createRoom(server, alice, "search-changes");
    const tag = uniqueWord();
    const gone = await post(alice, room, `${tag} secret plans`);
    const edited = await post(alice, room, `${tag} first draft`);
    expect((await api(server, "DELETE", `/messages/${gone.id}`, undefined, alice.token)).status).toBe(200);
    expect((await api(server, "PATCH", `/messages/${edited.id}`, { content: `${tag} final version` }, alice.token)).status).toBe(200);
    expect(await found(bob, `${tag} secret`)).toEqual([]);
    expect(await found(bob, `${tag} draft`)).toEqual([]);
    expect(await found(bob, `${tag} final`)).toEqual([`${tag} final version`]);
    expect(await found(bob, tag)).toEqual([`${tag} final version`]);
  });

  test("a private room's messages reach its members only; public rooms are searched by anyone, member or not", async () => {
    const tag = uniqueWord();
    const hidden = await createRoom(server, alice, "search-private", true);
    await invite(server, hidden, alice, carol);
    const open = await createRoom(server, alice, "search-public");
    const secret = await post(alice, hidden, `${tag} private matter`);
    await post(alice, open, `${tag} public matter`);
    expect(await found(bob, `${tag} matter`)).toEqual([`${tag} public matter`]);
    expect(await found(bob, `${tag} privat`)).toEqual([]);
    expect(reply(await search(bob, { q: tag, roomId: hidden.id }))).toEqual({ status: 404, body: error("room_not_found") });
    // A private message as the cursor says nothing about it: an empty page, as past the end.
    expect(await found(bob, tag, { before: secret.id })).toEqual([]);
    expect(await found(carol, `${tag} matter`)).toEqual([`${tag} public matter`, `${tag} private matter`]);
    expect(await found(carol, tag, { roomId: hidden.id })).toEqual([`${tag} private matter`]);
    expect(await found(carol, tag, { roomId: open.id })).toEqual([`${tag} public matter`]);
    // Once out of the room, its messages are out of reach again.
    expect((await api(server, "POST", `/rooms/${hidden.id}/leave`, undefined, carol.token)).status).toBe(200);
    expect(await found(carol, `${tag} matter`)).toEqual([`${tag} public matter`]);
  });

  test("pages newest first through the Link header's next page, with an exclusive cursor", async () => {
    const room = await createRoom(server, alice, "search-pages");
    const tag = uniqueWord();
    for (let i = 1; i <= 5; i++) await post(alice, room, `${tag} number ${i}`);
    const first = await search(bob, { q: tag, limit: "2" });
    expect(first.body.map((m: Message) => m.seq)).toEqual([5, 4]);
    const next = first.headers.get("link")!.match(/^<([^>]+)>; rel="next"$/)![1]!;
    expect(next).toBe(`/search?${new URLSearchParams({ q: tag, limit: "2", before: first.body[1].id })}`);
    const second = await api(server, "GET", next, undefined, bob.token);
    expect(second.body.map((m: Message) => m.seq)).toEqual([3, 2]);
    const third = await api(server, "GET", second.headers.get("link")!.match(/<([^>]+)>/)![1]!, undefined, bob.token);
    expect(third.body.map((m: Message) => m.seq)).toEqual([1]);
    expect(third.headers.get("link")).toBeNull();
    // Within a room too, the Link keeps the room.
    const inRoom = await search(bob, { q: tag, roomId: room.id, limit: "4" });
    expect(inRoom.headers.get("link")).toBe(`</search?${new URLSearchParams({ q: tag, roomId: room.id, limit: "4", before: inRoom.body[3].id })}>; rel="next"`);
  });

  test("bad input is 400 with { message, code }; no credentials 401", async () => {
    const bad = ["", "q=", "q=%20%20", `q=${"a".repeat(257)}`, "q=a&limit=0", "q=a&limit=101", "q=a&limit=x", "q=a&before=nope", "q=a&roomId=ROOM", "q=%00a"];
    for (const query of bad) {
      expect({ query, ...reply(await api(server, "GET", `/search?${query}`, undefined, bob.token)) }).toEqual({ query, status: 400, body: error("invalid_input") });
    }
    expect(reply(await api(server, "GET", "/search?q=hello"))).toEqual({ status: 401, body: error("missing_token") });
    // Only punctuation is a search for nothing, not an error.
    expect(await found(bob, "!!! ...")).toEqual([]);
  });
});

describe("export", () => {
  /** A room of alice's with `count` messages written straight into the log (quicker than sending them), then a few changes. */
  async function bigRoom(count: number) {
    const room = await createRoom(server, alice, `export ${uniqueWord()}`);
    await server.sql`
      with bumped as (update rooms set last_seq = ${count}, last_rev = ${count} where id = ${room.id})
      insert into messages (room_id, seq, rev, sender_id, content)
      select ${room.id}, n, n, ${alice.id}, 'line ' || n from generate_series(1, ${count}) n`;
    return room;
  }

  const download = (person: Person, roomId: string, format?: string) =>
    fetch(`${server.base}/rooms/${roomId}/export${format ? `?format=${format}` : ""}`, { headers: { authorization: `Bearer ${person.token}` } });

  test("JSON lines: every message in seq order across batches, in its current state, as GET /messages has it", async () => {
    const room = await bigRoom(2_345);
    const [edited, deleted] = await Promise.all([
      api(
        server,
        "PATCH",
        `/messages/${(await api(server, "GET", `/messages/${room.id}?after=999&limit=1`, undefined, alice.token)).body[0].id}`,
        { content: "line 1000, edited" },
        alice.token,
      ),
      api(server, "GET", `/messages/${room.id}?after=1000&limit=1`, undefined, alice.token),
    ]);
    expect(edited.status).toBe(200);
    expect((await api(server, "DELETE", `/messages/${deleted.body[0].id}`, undefined, alice.token)).status).toBe(200);
    await post(alice, room, "the newest");

    const response = await download(alice, room.id, "jsonl");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="chatloop-export-w[0-9a-f]{10}-\d{4}-\d\d-\d\d\.jsonl"$/);
    const lines = (await response.text()).split("\n");
    expect(lines.pop()).toBe("");
    const exported = lines.map((line) => JSON.parse(line) as Message);
    expect(exported.map((m) => m.seq)).toEqual(Array.from({ length: 2_346 }, (_, i) => i + 1));
    expect(exported[999]).toMatchObject({ content: "line 1000, edited", editedAt: expect.any(String) });
    expect(exported[1000]).toMatchObject({ content: "", deletedAt: expect.any(String) });
    expect(exported.at(-1)!.content).toBe("the newest");
    const newest = await api(server, "GET", `/messages/${room.id}?after=900&limit=200`, undefined, alice.token);
    expect(exported.slice(900, 1100)).toEqual(newest.body);
  });

  test("Markdown: who, when and what, edits and deletions said, replies and reactions shown; a safe file name", async () => {
    const room = await createRoom(server, alice, `Ünïcode / "quotes" \\ evil`);
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const first = await post(alice, room, "hello **there**");
    const answer = await api(server, "POST", "/messages", { roomId: room.id, content: "hi back", replyToId: first.id }, bob.token);
    await api(server, "PUT", `/messages/${answer.body.id}/reactions/${encodeURIComponent("👍")}`, undefined, alice.token);
    const edited = await post(bob, room, "typo");
    await api(server, "PATCH", `/messages/${edited.id}`, { content: "fixed" }, bob.token);
    const gone = await post(alice, room, "oops");
    await api(server, "DELETE", `/messages/${gone.id}`, undefined, alice.token);

    const response = await download(bob, room.id, "md");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="chatloop-Unicode-quotes-evil-\d{4}-\d\d-\d\d\.md"$/);
    const time = (m: { createdAt: string }) => `${m.createdAt.slice(0, 16).replace("T", " ")} UTC`;
    expect(await response.text()).toBe(
      `# ${room.name}\n\n` +
        `**alice** · ${time(first)} · #1\nhello **there**\n\n` +
        `**bob** · ${time(answer.body)} · #2\n> In reply to alice (#1): hello **there**\n\nhi back\n\nReactions: 👍 1\n\n` +
        `**bob** · ${time(edited)} · #3 (edited)\nfixed\n\n` +
        `**alice** · ${time(gone)} · #4\n*This message was deleted.*\n\n`,
    );
  });

  test("members only: a private room is not found by others, a public one forbidden until joined; a bad format is 400", async () => {
    const hidden = await createRoom(server, alice, "export-private", true);
    const open = await createRoom(server, alice, "export-public");
    const body = async (response: Response) => ({ status: response.status, body: await response.json() });
    expect(await body(await download(bob, hidden.id))).toEqual({ status: 404, body: error("room_not_found") });
    expect(await body(await download(bob, open.id))).toEqual({ status: 403, body: error("not_a_member") });
    expect(await body(await download(alice, open.id, "xml"))).toEqual({ status: 400, body: error("invalid_input") });
    expect(await body(await fetch(`${server.base}/rooms/${open.id}/export`))).toEqual({ status: 401, body: error("missing_token") });
    await api(server, "POST", `/rooms/${open.id}/join`, undefined, bob.token);
    const empty = await download(bob, open.id);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe("");
  });
});

describe("in the browser", () => {
  test("the search page lists results with their room, escaped highlights and permalinks; a bad query is said on the page", async () => {
    const room = await createRoom(server, alice, "search <page>");
    const tag = uniqueWord();
    const sent = await post(alice, room, `<img src=x onerror=alert(1)> ${tag} found`);
    const browser = await signInBrowser(server, "bob");
    const answer = await getPage(browser, `/chat/search?q=${tag}`);
    expect(answer.status).toBe(200);
    const page = await answer.text();
    expect(page).toContain(`<a href="/chat/rooms/${room.id}?seq=${sent.seq}"`);
    expect(page).toContain("search &lt;page&gt;");
    expect(page).toContain(`&lt;img src=x onerror=alert(1)&gt; <mark>${tag}</mark> found`);
    expect(page).not.toContain("<img src=x");
    const bad = await getPage(browser, `/chat/search?q=${"a".repeat(300)}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("q must be 1-256 characters");
  });

  test("a permalink opens the room around its message, highlighted, with the way to newer pages; the newer pages end at the live end", async () => {
    const room = await createRoom(server, alice, "permalinks");
    for (let i = 1; i <= 120; i++) await post(alice, room, `message ${i}`);
    const browser = await signInBrowser(server, "alice");
    const page = await (await getPage(browser, `/chat/rooms/${room.id}?seq=40`)).text();
    const shown = [...page.matchAll(/<li id="message-[^"]+" class="message[^"]*" data-seq="(\d+)"/g)].map((m) => Number(m[1]));
    expect(shown).toEqual(Array.from({ length: 51 }, (_, i) => 15 + i));
    expect([...page.matchAll(/data-seq="(\d+)"[^>]*data-linked="true"/g)].map((m) => m[1])).toEqual(["40"]);
    expect(page).toContain(`data-linked-seq="40"`);
    expect(page).toContain(`hx-get="/chat/rooms/${room.id}/messages?before=15"`);
    expect(page).toContain(`hx-get="/chat/rooms/${room.id}/messages?after=65"`);
    const htmx = { "hx-request": "true" };
    const middle = await (await getPage(browser, `/chat/rooms/${room.id}/messages?after=65`, htmx)).text();
    expect(middle).toContain(`hx-get="/chat/rooms/${room.id}/messages?after=115"`);
    const last = await (await getPage(browser, `/chat/rooms/${room.id}/messages?after=115`, htmx)).text();
    expect([...last.matchAll(/data-seq="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([116, 117, 118, 119, 120]);
    expect(last).not.toContain("newer-messages");
    // Near the end, or past it, the room opens as usual, at the live end.
    const end = await (await getPage(browser, `/chat/rooms/${room.id}?seq=110`)).text();
    expect(end).not.toContain("newer-messages");
    const past = await (await getPage(browser, `/chat/rooms/${room.id}?seq=999`)).text();
    expect(past).not.toContain('data-linked="true"');
    expect((await getPage(browser, `/chat/rooms/${room.id}?seq=abc`)).status).toBe(404);
  });
});
