// Incoming webhooks: a room's owner makes a secret URL; anyone holding it posts in the room as
// the webhook's name, with ChatLoop's { content } or Slack's { text }; revoked, it stops at once.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { Message } from "../src/messages/schemas";
import {
  api,
  closeSockets,
  connect,
  createRoom,
  error,
  ISO,
  inbox,
  invite,
  type Person,
  people,
  reply,
  snapshot,
  startServer,
  stopServer,
  type TestServer,
  testConfig,
  UUID,
} from "./harness";

let server: TestServer;
let alice: Person, bob: Person;

beforeAll(async () => {
  server = await startServer({ limits: { ...testConfig().limits, messagesPerUser: { max: 5, windowMs: 60_000 } } });
  [alice, bob] = await people(server, "alice", "bob"); // alice, first, is the site admin
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

/** POSTs to a webhook's url as any program would: no token. */
async function hook(url: string, body: unknown) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

async function makeHook(room: { id: string }, name: string) {
  const made = await api(server, "POST", `/rooms/${room.id}/webhooks`, { name }, alice.token);
  expect(made.status).toBe(201);
  return made.body as { id: string; name: string; url: string };
}

describe("incoming webhooks", () => {
  test("the owner makes one; its url posts { content } and Slack's { text } in the room as its name, to every socket there", async () => {
    const room = await createRoom(server, alice, "deploys");
    await invite(server, room, alice, bob);
    const made = await makeHook(room, "deploybot");
    expect(made).toEqual({ id: expect.stringMatching(UUID), name: "deploybot", url: expect.stringMatching(new RegExp(`^${server.base}/hooks/[A-Za-z0-9_-]{43}$`)) });
    const socket = await connect(server, bob.token);
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    const heard = inbox(socket);

    const first = await hook(made.url, { content: "v1.2 is live" });
    expect(first.status).toBe(201);
    const second = await hook(made.url, { text: "v1.3 is live", username: "ignored", icon_emoji: ":rocket:" });
    expect(second.status).toBe(201);
    const messages = await heard.until(2);
    expect(messages.map(({ content, username, roomId }) => ({ content, username, roomId }))).toEqual([
      { content: "v1.2 is live", username: "deploybot", roomId: room.id },
      { content: "v1.3 is live", username: "deploybot", roomId: room.id },
    ]);
    expect(messages[0]).toEqual(first.body);
    // The sender is a real user, listed among the members.
    const members = await api(server, "GET", `/rooms/${room.id}/members`, undefined, alice.token);
    expect(members.body.map((m: { userId: string }) => m.userId)).toContain((first.body as Message).senderId);

    const listed = await api(server, "GET", `/rooms/${room.id}/webhooks`, undefined, alice.token);
    expect(listed.body).toEqual([{ id: made.id, name: "deploybot", createdAt: expect.stringMatching(ISO) }]);
    expect(JSON.stringify(listed.body)).not.toContain(made.url.split("/").at(-1)!);
  });

  test("revoked, its url stops at once, and the messages it posted stay", async () => {
    const room = await createRoom(server, alice, "alerts");
    const made = await makeHook(room, "pager");
    expect((await hook(made.url, { content: "disk full" })).status).toBe(201);
    expect((await api(server, "DELETE", `/rooms/${room.id}/webhooks/${made.id}`, undefined, alice.token)).status).toBe(204);
    expect(reply(await hook(made.url, { content: "disk still full" }))).toEqual({ status: 404, body: error("webhook_not_found") });
    const history = await api(server, "GET", `/messages/${room.id}`, undefined, alice.token);
    expect(history.body.map((m: Message) => m.content)).toEqual(["disk full"]);
    expect(reply(await api(server, "DELETE", `/rooms/${room.id}/webhooks/${made.id}`, undefined, alice.token))).toEqual({ status: 404, body: error("webhook_not_found") });
  });

  test("only the owner manages them; outsiders of a private room hear it does not exist", async () => {
    const room = await createRoom(server, alice, "owners only");
    const secret = await createRoom(server, alice, "hidden", true);
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const made = await makeHook(room, "ownersbot");
    expect(reply(await api(server, "POST", `/rooms/${room.id}/webhooks`, { name: "bobsbot" }, bob.token))).toEqual({ status: 403, body: error("not_the_owner") });
    expect(reply(await api(server, "GET", `/rooms/${room.id}/webhooks`, undefined, bob.token))).toEqual({ status: 403, body: error("not_the_owner") });
    expect(reply(await api(server, "DELETE", `/rooms/${room.id}/webhooks/${made.id}`, undefined, bob.token))).toEqual({ status: 403, body: error("not_the_owner") });
    expect(reply(await api(server, "POST", `/rooms/${secret.id}/webhooks`, { name: "bobsbot" }, bob.token))).toEqual({ status: 404, body: error("room_not_found") });
    expect(reply(await api(server, "POST", `/rooms/${room.id}/webhooks`, { name: "x" }))).toEqual({ status: 401, body: error("missing_token") });
  });

  test("bad input is refused and changes nothing: no text, blank text, a taken name, a bad name, an unknown url", async () => {
    const room = await createRoom(server, alice, "strict");
    const made = await makeHook(room, "strictbot");
    const before = await snapshot(server);
    for (const body of [{}, { content: "" }, { text: 42 }, { content: "a\u0000b" }, "not json"]) {
      const answer = await fetch(made.url, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
      expect(answer.status).toBe(400);
    }
    expect(reply(await hook(made.url, { content: "   " }))).toEqual({ status: 400, body: error("empty_message") });
    expect(reply(await hook(`${server.base}/hooks/not-a-real-secret`, { content: "hi" }))).toEqual({ status: 404, body: error("webhook_not_found") });
    expect(reply(await api(server, "POST", `/rooms/${room.id}/webhooks`, { name: "bob" }, alice.token))).toEqual({ status: 409, body: error("username_taken") });
    expect(reply(await api(server, "POST", `/rooms/${room.id}/webhooks`, { name: "no spaces here" }, alice.token))).toEqual({ status: 400, body: error("invalid_input") });
    expect(await snapshot(server)).toEqual(before);
  });

  test("a webhook is rate limited like any sender: 429 with Retry-After", async () => {
    const room = await createRoom(server, alice, "noisy");
    const made = await makeHook(room, "noisybot");
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(await fetch(made.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ content: `ping ${i}` }) }));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 429]);
    expect(Number(answers[5]!.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
