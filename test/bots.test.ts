// Bots: a test bot server (test/bot-server.ts) receives signed deliveries of the messages that
// mention it or are in its direct room, answers, and its answer appears in the room as its
// reply. Deliveries wait in PostgreSQL: a bot that fails for a while, a ChatLoop restarted in
// between, several instances draining: each delivered once.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, ConfigError, loadConfig } from "../src/config";
import type { Message } from "../src/messages/schemas";
import { startChatLoop } from "../src/server";
import { BotServer, verifySignature } from "./bot-server";
import { getPage, post as postPage, signInBrowser } from "./browser";
import {
  api,
  closeSockets,
  connect,
  createRoom,
  databaseUrl,
  error,
  freshDatabase,
  inbox,
  invite,
  type Person,
  redisUrl,
  reply,
  signUp,
  startPeer,
  startServer,
  stopServer,
  type TestServer,
  testConfig,
  UUID,
} from "./harness";

/** Quick retries and polls, so that a bot that fails for a while is retried within the test. */
const quick = (): Partial<Config> => ({ bots: { allowPrivate: true, firstRetryMs: 20, pollMs: 20 } });

let server: TestServer;
let alice: Person, bob: Person;
const bots: BotServer[] = [];

beforeAll(async () => {
  server = await startServer(quick());
  alice = await signUp(server, "alice"); // the first account: the site admin
  bob = await signUp(server, "bob");
});
afterEach(closeSockets);
afterAll(async () => {
  await stopServer(server);
  for (const bot of bots) bot.stop();
});

/** A bot made by alice on `on`, with its own server; answers 204 unless told otherwise. */
async function makeBot(username: string, on: { base: string } = server) {
  const web = new BotServer();
  bots.push(web);
  const made = await api(on, "POST", "/admin/bots", { username, webhookUrl: web.url }, alice.token);
  expect(made.status).toBe(201);
  web.secret = made.body.secret;
  return { web, user: made.body.user as { id: string; username: string }, token: made.body.token as string };
}

/** A room of alice's with the bot in it, and alice's socket there hearing its messages. */
async function roomWith(bot: { user: { username: string } }, on: TestServer = server) {
  const room = await createRoom(on, alice, `with ${bot.user.username}`);
  await api(on, "POST", `/rooms/${room.id}/invites`, { username: bot.user.username }, alice.token);
  const socket = await connect(on, alice.token);
  await socket.emitWithAck("joinRoom", { roomId: room.id });
  return { room, heard: inbox(socket) };
}

const post = (on: { base: string }, roomId: string, content: string) => api(on, "POST", "/messages", { roomId, content }, alice.token);

describe("making bots", () => {
  test("an admin makes a bot: a user, its token (shown once) and the secret its deliveries are signed with", async () => {
    const web = new BotServer();
    bots.push(web);
    const made = await api(server, "POST", "/admin/bots", { username: "helper", webhookUrl: web.url }, alice.token);
    expect(made).toMatchObject({ status: 201 });
    expect(made.body).toEqual({
      user: { id: expect.stringMatching(UUID), username: "helper", createdAt: expect.any(String), isAdmin: false, avatarUrl: expect.stringMatching(/^\/users\/.+\/avatar$/) },
      webhookUrl: web.url,
      token: expect.stringMatching(/^chatloop_/),
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    // It authenticates with its token, and has no password.
    expect((await api(server, "GET", "/rooms", undefined, made.body.token)).status).toBe(200);
    expect(reply(await api(server, "POST", "/auth/login", { username: "helper", password: "!" }))).toEqual({ status: 401, body: error("invalid_credentials") });
    const listed = await api(server, "GET", "/admin/bots", undefined, alice.token);
    expect(listed.body.map((bot: { user: { username: string } }) => bot.user.username)).toContain("helper");
  });

  test("only admins; a taken name; a webhook URL that is not http(s): each refused, and nothing made", async () => {
    const count = async () => Number((await server.sql`select count(*) from users`)[0]!.count);
    const before = await count();
    expect(reply(await api(server, "POST", "/admin/bots", { username: "sneaky" }, bob.token))).toEqual({ status: 403, body: error("not_admin") });
    expect(reply(await api(server, "GET", "/admin/bots", undefined, bob.token))).toEqual({ status: 403, body: error("not_admin") });
    expect(reply(await api(server, "POST", "/admin/bots", { username: "bob" }, alice.token))).toEqual({ status: 409, body: error("username_taken") });
    for (const webhookUrl of ["ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "not a url", "https://user:pw@example.com/"]) {
      expect(reply(await api(server, "POST", "/admin/bots", { username: "badhook", webhookUrl }, alice.token))).toEqual({ status: 400, body: error("invalid_webhook_url") });
    }
    expect(reply(await api(server, "POST", "/admin/bots", { username: "no spaces" }, alice.token))).toEqual({ status: 400, body: error("invalid_input") });
    expect(await count()).toBe(before);
  });

  test("without WEBHOOK_ALLOW_PRIVATE a webhook on a loopback or private address is refused", async () => {
    const strict = await startServer({ bots: { allowPrivate: false, firstRetryMs: 20, pollMs: 1000 } });
    try {
      const admin = await signUp(strict, "admin");
      for (const webhookUrl of [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://10.0.0.1/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest",
        "http://[::ffff:127.0.0.1]/",
      ]) {
        const answer = await api(strict, "POST", "/admin/bots", { username: "inside", webhookUrl }, admin.token);
        expect(reply(answer)).toEqual({ status: 400, body: error("invalid_webhook_url") });
        expect(answer.body.message).toContain("WEBHOOK_ALLOW_PRIVATE");
      }
    } finally {
      await stopServer(strict);
    }
  });
});

test("the Bots page: an admin makes a bot with the form and sees its token and secret once; anyone else is refused", async () => {
  const admin = await signInBrowser(server, "alice");
  const made = await postPage(admin, "/chat/admin/bots", { username: "pagebot", webhookUrl: "" });
  expect(made.status).toBe(200);
  const page = await made.text();
  const token = page.match(/value="(chatloop_[A-Za-z0-9_-]+)"/)?.[1];
  expect(token).toBeDefined();
  expect((await api(server, "GET", "/rooms", undefined, token)).status).toBe(200);
  const again = await (await getPage(admin, "/chat/admin/bots")).text();
  expect(again).toContain("pagebot");
  expect(again).not.toContain(token!);
  const refused = await postPage(admin, "/chat/admin/bots", { username: "page bot", webhookUrl: "ftp://x" });
  expect(refused.status).toBe(400);

  const someone = await signInBrowser(server, "bob");
  expect((await getPage(someone, "/chat/admin/bots")).status).toBe(403);
  expect((await postPage(someone, "/chat/admin/bots", { username: "sneakybot" })).status).toBe(403);
  expect((await server.sql`select 1 from users where username = 'sneakybot'`).length).toBe(0);
});

test("WEBHOOK_ALLOW_PRIVATE is true or false, off unless set", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "chatloop-bots-config-"));
  try {
    expect(loadConfig({ DATA_DIR: dataDir }).bots.allowPrivate).toBe(false);
    expect(loadConfig({ DATA_DIR: dataDir, WEBHOOK_ALLOW_PRIVATE: "true" }).bots.allowPrivate).toBe(true);
    expect(() => loadConfig({ DATA_DIR: dataDir, WEBHOOK_ALLOW_PRIVATE: "yes" })).toThrow(ConfigError);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe("deliveries", () => {
  test("a mention is delivered signed; the bot's text answer is posted as its reply, stored and broadcast", async () => {
    const bot = await makeBot("echo");
    bot.web.answer = ({ message }) => new Response(`you said: ${message.content}`);
    const { room, heard } = await roomWith(bot);
    const sent = (await post(server, room.id, "hello @echo")).body as Message;

    const [delivery] = await bot.web.delivered(1);
    expect(delivery!.message).toEqual(sent);
    expect(delivery!.room).toMatchObject({ id: room.id, name: room.name, kind: "room" });
    const [, answer] = await heard.until(2);
    expect(answer).toMatchObject({ senderId: bot.user.id, username: "echo", content: "you said: hello @echo", replyTo: { id: sent.id } });
    const history = await api(server, "GET", `/messages/${room.id}`, undefined, alice.token);
    expect(history.body.map((m: Message) => m.content)).toEqual(["hello @echo", "you said: hello @echo"]);
    expect(bot.web.forged).toEqual([]);
    // Its own answer mentions nobody, and the bot does not hear itself.
    expect(bot.web.received.length).toBe(1);
  });

  test("a message in a direct room with the bot is delivered; a JSON { content } answer is posted", async () => {
    const bot = await makeBot("jsonbot");
    bot.web.answer = () => Response.json({ content: "**noted**" });
    const dm = await api(server, "POST", "/dms", { username: "jsonbot" }, alice.token);
    const socket = await connect(server, alice.token);
    await socket.emitWithAck("joinRoom", { roomId: dm.body.id });
    const heard = inbox(socket);
    await post(server, dm.body.id, "remember the milk");
    const [delivery] = await bot.web.delivered(1);
    expect(delivery!.room).toMatchObject({ id: dm.body.id, kind: "direct", name: "alice" });
    const [, answer] = await heard.until(2);
    expect(answer).toMatchObject({ senderId: bot.user.id, content: "**noted**" });
  });

  test("messages that mention nobody, or another person, are not delivered; nor are other bots' messages", async () => {
    const bot = await makeBot("quiet");
    const other = await makeBot("chatty");
    const { room } = await roomWith(bot);
    await api(server, "POST", `/rooms/${room.id}/invites`, { username: "chatty" }, alice.token);
    await post(server, room.id, "nothing for bots");
    await api(server, "POST", "/messages", { roomId: room.id, content: "hey @quiet" }, other.token); // a bot's message: no loops
    const [made] = await server.sql`select count(*)::int as n from bot_deliveries d join messages m on m.id = d.message_id where m.room_id = ${room.id}`;
    expect(made!.n).toBe(0);
    await post(server, room.id, "a word for @quiet");
    const [delivery] = await bot.web.delivered(1);
    expect(delivery!.message.content).toBe("a word for @quiet");
    expect(bot.web.received.length).toBe(1);
  });

  test("a bot that fails for a while gets the delivery later, once, and its answer is posted once", async () => {
    const bot = await makeBot("flaky");
    bot.web.failures = 3;
    bot.web.answer = () => new Response("better late than never");
    const { room, heard } = await roomWith(bot);
    const sent = (await post(server, room.id, "@flaky are you there?")).body as Message;
    const [delivery] = await bot.web.delivered(1);
    expect(bot.web.received.map((d) => [d.message.id, d.status])).toEqual([
      [sent.id, 503],
      [sent.id, 503],
      [sent.id, 503],
      [sent.id, 200],
    ]);
    // The same delivery each time: a bot can tell a retry from a new message.
    expect(new Set(bot.web.received.map((d) => d.id))).toEqual(new Set([delivery!.id]));
    const [, answer] = await heard.until(2);
    expect(answer!.content).toBe("better late than never");
  });

  test("a bot that refuses a delivery (a 4xx other than 408 and 429) is not asked again", async () => {
    const bot = await makeBot("picky");
    let refuse = true;
    bot.web.answer = () => (refuse ? new Response("not for me", { status: 422 }) : new Response(null, { status: 204 }));
    const { room } = await roomWith(bot);
    const first = (await post(server, room.id, "@picky this one you refuse")).body as Message;
    await bot.web.requests(1);
    refuse = false;
    // Retries come after 10-20 ms here: one would have come long before this message has been stored and delivered.
    await post(server, room.id, "@picky and this one you take");
    await bot.web.delivered(1);
    await post(server, room.id, "@picky and this one too");
    await bot.web.delivered(2);
    expect(bot.web.received.filter((d) => d.message.id === first.id).map((d) => d.status)).toEqual([422]);
  });

  test("a forged delivery is told apart by the bot: the signature covers the timestamp and the body", () => {
    const body = JSON.stringify({ message: { content: "hi" } });
    const signature = `sha256=${new Bun.CryptoHasher("sha256", "secret").update(`1700000000.${body}`).digest("hex")}`;
    expect(verifySignature("secret", "1700000000", body, signature)).toBe(true);
    expect(verifySignature("secret", "1700000001", body, signature)).toBe(false);
    expect(verifySignature("secret", "1700000000", body.replace("hi", "ho"), signature)).toBe(false);
    expect(verifySignature("other secret", "1700000000", body, signature)).toBe(false);
    expect(verifySignature("secret", "1700000000", body, null)).toBe(false);
  });
});

test("deliveries wait in the database across a restart of ChatLoop, and arrive once after it", async () => {
  const { config, drop } = await freshDatabase(testConfig(quick()));
  let first = await startChatLoop(config);
  const at = (chatloop: { url: URL }) => ({ base: chatloop.url.href.replace(/\/$/, "") });
  try {
    const admin = await signUp(at(first), "admin");
    const web = new BotServer();
    bots.push(web);
    web.failures = 1_000_000; // down until told
    const made = await api(at(first), "POST", "/admin/bots", { username: "sleepy", webhookUrl: web.url }, admin.token);
    web.secret = made.body.secret;
    const room = (await api(at(first), "POST", "/rooms", { name: "night shift" }, admin.token)).body;
    await api(at(first), "POST", `/rooms/${room.id}/invites`, { username: "sleepy" }, admin.token);
    const sent = (await api(at(first), "POST", "/messages", { roomId: room.id, content: "@sleepy wake up" }, admin.token)).body as Message;
    await web.requests(1); // tried, and failed
    await first.stop();

    web.failures = 0;
    web.answer = () => new Response("I'm up");
    first = await startChatLoop(config);
    const [delivery] = await web.delivered(1);
    expect(delivery!.message.id).toBe(sent.id);
    const socket = await connect(at(first), admin.token);
    const heard = inbox(socket);
    await socket.emitWithAck("joinRoom", { roomId: room.id, after: 0 });
    const [, answer] = await heard.until(2);
    expect(answer!.content).toBe("I'm up");
    expect(web.received.filter((d) => d.status < 300).length).toBe(1);
  } finally {
    await first.stop();
    await drop();
  }
});

describe.skipIf(!databaseUrl || !redisUrl)("on several instances", () => {
  test("two instances drain one outbox: every delivery arrives once", async () => {
    const peer = await startPeer(server);
    try {
      const bot = await makeBot("busy");
      bot.web.failures = 5; // some are retried, by either instance
      const { room } = await roomWith(bot);
      const count = 40;
      const sent = await Promise.all(Array.from({ length: count }, (_, i) => post(i % 2 ? peer : server, room.id, `@busy job ${i}`)));
      const delivered = await bot.web.delivered(count);
      expect(delivered.map((d) => d.message.id).sort()).toEqual(sent.map((s) => s.body.id).sort());
    } finally {
      await stopServer(peer);
    }
  });
});
