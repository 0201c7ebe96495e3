// Web Push end to end: a push service on 127.0.0.1 (test/push-service.ts) receives what
// ChatLoop sends, and the test reads it as the browser would, with the keys it subscribed with.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importJWK, jwtVerify } from "jose";
import { ConfigError, loadConfig } from "../src/config";
import { generateVapidKeys } from "../src/push/keys";
import {
  api,
  closeSockets,
  connect,
  createRoom,
  error,
  invite,
  type Person,
  redisUrl,
  reply,
  scrape,
  signUp,
  startPeer,
  startServer,
  stopServer,
  type TestServer,
  testConfig,
} from "./harness";
import { BrowserKeys, PushService } from "./push-service";

let server: TestServer;
let service: PushService;
let alice: Person;
const aliceKeys = new BrowserKeys();

beforeAll(async () => {
  // The push service of these tests is http on loopback: the server is told to allow it.
  server = await startServer({ push: { ...testConfig().push, allowPrivateEndpoints: true, firstRetryMs: 20 } });
  service = new PushService();
  alice = await signUp(server, "alice");
  // Alice writes nearly every message here: her own browser must never hear of them.
  expect((await api(server, "POST", "/push/subscriptions", aliceKeys.subscription(service.endpoint("/alice")), alice.token)).status).toBe(201);
});
afterEach(closeSockets);
afterAll(async () => {
  const titles = service.to("/alice").map((pushed) => JSON.parse(aliceKeys.decrypt(pushed.body)).title);
  expect(titles.filter((title) => title.startsWith("alice"))).toEqual([]);
  await stopServer(server);
  await service.stop();
});

/** A person with one browser subscribed at `path` of the push service. */
async function subscribed(username: string, path = `/${username}`) {
  const person = await signUp(server, username);
  const keys = new BrowserKeys();
  const answer = await api(server, "POST", "/push/subscriptions", keys.subscription(service.endpoint(path)), person.token);
  expect(answer).toMatchObject({ status: 201, body: { endpoint: service.endpoint(path) } });
  return { ...person, keys, path };
}

const post = (room: { id: string }, content: string) => api(server, "POST", "/messages", { roomId: room.id, content }, alice.token);
/** The person's subscribed endpoints, as stored. */
const subscriptionsOf = async (person: Person) =>
  (await server.sql<{ endpoint: string }[]>`select endpoint from push_subscriptions where user_id = ${person.id} order by created_at`).map((row) => row.endpoint);
const pushCount = async (outcome: string) => (await scrape(server)).get(`chatloop_pushes_total{outcome="${outcome}"}`) ?? 0;

/** Waits until the check holds: for what the server does after a push service's answer, which no client sees. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await Bun.sleep(5);
}

describe("the encryption, on this Bun", () => {
  test("the test's own decryption reads the example of RFC 8291 (section 5)", () => {
    const browser = new BrowserKeys(Buffer.from("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94", "base64url"), Buffer.from("BTBZMqHH6r4Tts7J_aSIgg", "base64url"));
    expect(browser.ecdh.getPublicKey("base64url")).toBe("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
    const body = Buffer.from(
      "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
      "base64url",
    );
    expect(browser.decrypt(body)).toBe("When I grow up, I want to be a watermelon");
    body[body.length - 1]! ^= 1;
    expect(() => browser.decrypt(body)).toThrow(); // and it does not read what was tampered with
  });
});

describe("who is pushed", () => {
  test("a member of a private room with no socket open gets each message as a push, encrypted for their browser and signed with the server's VAPID key", async () => {
    const bob = await subscribed("bob");
    const room = await createRoom(server, alice, "secret plans", true);
    await invite(server, room, alice, bob);
    const sent = await post(room, "meet at noon");

    const pushed = await service.request(bob.path);
    expect(pushed.headers.get("content-encoding")).toBe("aes128gcm");
    expect(pushed.headers.get("ttl")).toBe("86400");
    expect(pushed.headers.get("topic")).toBe(room.id.replaceAll("-", ""));
    expect(JSON.parse(bob.keys.decrypt(pushed.body))).toEqual({
      roomId: room.id,
      seq: sent.body.seq,
      title: "alice in secret plans",
      body: "meet at noon",
      url: `/chat/rooms/${room.id}`,
    });

    // RFC 8292: the key in `k` is the one browsers subscribe with, and it signed the JWT for this push service.
    const { publicKey } = (await api(server, "GET", "/push/key", undefined, bob.token)).body;
    const [, jwt, k] = pushed.headers.get("authorization")!.match(/^vapid t=([\w.-]+), k=([\w-]+)$/)!;
    expect(k).toBe(publicKey);
    const point = Buffer.from(publicKey, "base64url");
    const key = await importJWK({ kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") }, "ES256");
    const { payload } = await jwtVerify(jwt!, key, { algorithms: ["ES256"], audience: new URL(service.endpoint("/")).origin });
    expect(payload.sub).toBe("mailto:tests@chatloop.invalid");
    expect(payload.exp! * 1000 - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000);
  });

  test("a long message is cut to 200 characters in the push", async () => {
    const bob = await subscribed("bob_long");
    const room = await createRoom(server, alice, "long reads", true);
    await invite(server, room, alice, bob);
    await post(room, "🍉".repeat(300));
    const { body } = JSON.parse(bob.keys.decrypt((await service.request(bob.path)).body));
    expect([...body]).toHaveLength(200);
    expect(body).toBe("🍉".repeat(199) + "…");
  });

  test("a member's own message is never pushed to them, not even as the newest of a burst", async () => {
    const bob = await subscribed("bob_burst");
    const room = await createRoom(server, alice, "burst", true);
    await invite(server, room, alice, bob);
    await post(room, "first, from alice");
    await api(server, "POST", "/messages", { roomId: room.id, content: "then bob" }, bob.token);
    expect(JSON.parse(bob.keys.decrypt((await service.request(bob.path)).body))).toMatchObject({ body: "first, from alice" });
    expect(JSON.parse(aliceKeys.decrypt((await service.request("/alice")).body))).toMatchObject({ title: "bob_burst in burst", body: "then bob" });
    await post(room, "and alice again");
    expect(JSON.parse(bob.keys.decrypt((await service.request(bob.path, 2)).body))).toMatchObject({ body: "and alice again" });
  });

  test("a member with a socket open anywhere is not pushed: they see the message there", async () => {
    const [bob, carol] = [await subscribed("bob_online"), await subscribed("carol_offline")];
    const room = await createRoom(server, alice, "half online", true);
    await invite(server, room, alice, bob);
    await invite(server, room, alice, carol);
    await connect(server, bob.token);
    const skipped = await pushCount("skipped");

    await post(room, "who is around?");
    await service.request(carol.path);
    // Carol's push went out with the same decision that left bob out.
    expect(await pushCount("skipped")).toBe(skipped + 1);
    expect(service.to(bob.path)).toEqual([]);
  });

  test.skipIf(!redisUrl)("a socket open on another instance counts too: the instances share who is connected", async () => {
    const other = await startPeer(server);
    try {
      const [bob, carol] = [await subscribed("bob_elsewhere"), await subscribed("carol_nowhere")];
      const room = await createRoom(server, alice, "two instances", true);
      await invite(server, room, alice, bob);
      await invite(server, room, alice, carol);
      await connect(other, bob.token);
      const skipped = await pushCount("skipped");

      await post(room, "stored on the first instance");
      await service.request(carol.path);
      expect(await pushCount("skipped")).toBe(skipped + 1);
      expect(service.to(bob.path)).toEqual([]);
    } finally {
      closeSockets();
      await stopServer(other);
    }
  });

  test("in a public room only a mention is pushed (the default level there), and the notification says who and where", async () => {
    const bob = await subscribed("bob_public");
    const room = await createRoom(server, alice, "town square");
    expect((await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token)).status).toBe(200);
    await post(room, "plain news for everyone");
    const mention = await post(room, "@bob_public have a look");
    // A push for the plain message would have gone out first, to the same browser.
    const first = JSON.parse(bob.keys.decrypt((await service.request(bob.path)).body));
    expect(first).toMatchObject({ seq: mention.body.seq, title: "alice in town square", body: "@bob_public have a look" });
  });

  test("the level a member chose wins over the room's default: none silences a private room, all opens a public one", async () => {
    const bob = await subscribed("bob_levels");
    const quiet = await createRoom(server, alice, "quiet private", true);
    await invite(server, quiet, alice, bob);
    const loud = await createRoom(server, alice, "loud public");
    await api(server, "POST", `/rooms/${loud.id}/join`, undefined, bob.token);
    expect((await api(server, "PUT", `/rooms/${quiet.id}/notify`, { level: "none" }, bob.token)).status).toBe(200);
    expect((await api(server, "PUT", `/rooms/${loud.id}/notify`, { level: "all" }, bob.token)).status).toBe(200);

    await post(quiet, "@bob_levels you will not hear of this");
    await post(loud, "but of this");
    const first = JSON.parse(bob.keys.decrypt((await service.request(bob.path)).body));
    expect(first).toMatchObject({ roomId: loud.id, body: "but of this" });
  });

  test("in a direct room the title is just the sender", async () => {
    const bob = await subscribed("bob_direct");
    const room = (await api(server, "POST", "/dms", { username: bob.username }, alice.token)).body;
    await post(room, "just between us");
    expect(JSON.parse(bob.keys.decrypt((await service.request(bob.path)).body))).toMatchObject({ title: "alice", body: "just between us" });
  });
});

describe("what push services answer", () => {
  test("a subscription answered 410 Gone is removed, and the next message is not pushed to it", async () => {
    const [bob, carol] = [await subscribed("bob_gone"), await subscribed("carol_stays")];
    service.answer(bob.path, 410);
    const room = await createRoom(server, alice, "goodbyes", true);
    await invite(server, room, alice, bob);
    await invite(server, room, alice, carol);

    await post(room, "anyone there?");
    await service.request(bob.path);
    await until(async () => (await subscriptionsOf(bob)).length === 0);
    expect(await subscriptionsOf(carol)).toHaveLength(1);

    await post(room, "still there?");
    await service.request(carol.path, 2);
    expect(service.to(bob.path)).toHaveLength(1);
  });

  test("a push answered 500 is tried again, and then delivered", async () => {
    const bob = await subscribed("bob_flaky");
    service.answer(bob.path, 500, 503);
    const room = await createRoom(server, alice, "flaky service", true);
    await invite(server, room, alice, bob);
    const retried = await pushCount("retried");

    await post(room, "third time lucky");
    const third = await service.request(bob.path, 3);
    expect(JSON.parse(bob.keys.decrypt(third.body))).toMatchObject({ body: "third time lucky" });
    expect(await pushCount("retried")).toBe(retried + 2);
  });
});

describe("subscribing", () => {
  test("GET /push/key gives the VAPID public key; every push route needs a signed-in caller", async () => {
    expect((await api(server, "GET", "/push/key", undefined, alice.token)).body).toEqual({ publicKey: server.config.push.vapid.publicKey });
    for (const [method, body] of [
      ["GET"],
      ["POST", new BrowserKeys().subscription("https://push.example.com/x")],
      ["DELETE", { endpoint: "https://push.example.com/x" }],
    ] as const) {
      expect(await api(server, method, method === "GET" ? "/push/key" : "/push/subscriptions", body)).toMatchObject({ status: 401 });
    }
  });

  test("keys that are not a browser's are refused", async () => {
    const good = new BrowserKeys().subscription("https://push.example.com/keys");
    const offCurve = Buffer.alloc(65, 7);
    offCurve[0] = 4;
    for (const keys of [
      { p256dh: good.keys.p256dh.slice(1), auth: good.keys.auth },
      { p256dh: good.keys.p256dh, auth: good.keys.auth + "AA" },
      { p256dh: good.keys.p256dh.replace(/^./, "+"), auth: good.keys.auth },
      { p256dh: offCurve.toString("base64url"), auth: good.keys.auth },
      { auth: good.keys.auth },
    ]) {
      const answer = await api(server, "POST", "/push/subscriptions", { ...good, keys }, alice.token);
      expect(reply(answer)).toEqual({ status: 400, body: error(keys.p256dh === offCurve.toString("base64url") ? "invalid_key" : "invalid_input") });
    }
    expect(await subscriptionsOf(alice)).toEqual([service.endpoint("/alice")]);
  });

  test("subscribing an endpoint again moves it to whoever subscribed it last; each person keeps their 20 newest", async () => {
    const [dave, erin] = [await subscribed("dave", "/shared"), await signUp(server, "erin")];
    expect((await api(server, "POST", "/push/subscriptions", new BrowserKeys().subscription(service.endpoint("/shared")), erin.token)).status).toBe(201);
    expect(await subscriptionsOf(dave)).toEqual([]);
    expect(await subscriptionsOf(erin)).toEqual([service.endpoint("/shared")]);

    for (let i = 1; i <= 20; i++) {
      expect((await api(server, "POST", "/push/subscriptions", new BrowserKeys().subscription(service.endpoint(`/erin-${i}`)), erin.token)).status).toBe(201);
    }
    const kept = await subscriptionsOf(erin);
    expect(kept).toHaveLength(20);
    expect(kept).not.toContain(service.endpoint("/shared"));
  });

  test("DELETE /push/subscriptions forgets the caller's own endpoint and leaves anyone else's", async () => {
    const [frank, grace] = [await subscribed("frank"), await signUp(server, "grace")];
    const endpoint = service.endpoint(frank.path);
    expect((await api(server, "DELETE", "/push/subscriptions", { endpoint }, grace.token)).status).toBe(204);
    expect(await subscriptionsOf(frank)).toHaveLength(1);
    expect((await api(server, "DELETE", "/push/subscriptions", { endpoint }, frank.token)).status).toBe(204);
    expect(await subscriptionsOf(frank)).toEqual([]);
  });
});

describe("endpoints a server on a shared network refuses", () => {
  let guarded: TestServer;
  let henry: Person;
  beforeAll(async () => {
    guarded = await startServer();
    henry = await signUp(guarded, "henry");
  });
  afterAll(() => stopServer(guarded));

  test.each([
    "http://push.example.com/send/1",
    "ftp://push.example.com/send/1",
    "not a url",
    "https://user:secret@push.example.com/send/1",
    "https://localhost/send/1",
    "https://push.localhost/send/1",
    "https://intranet/send/1",
    "https://127.0.0.1/send/1",
    "https://2130706433/send/1",
    "https://10.1.2.3/send/1",
    "https://172.16.0.1/send/1",
    "https://192.168.1.1/send/1",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/send/1",
    "https://0.0.0.0/send/1",
    "https://[::1]/send/1",
    "https://[::]/send/1",
    "https://[fe80::1]/send/1",
    "https://[fd00::1]/send/1",
    "https://[::ffff:127.0.0.1]/send/1",
    "https://[64:ff9b::a00:1]/send/1",
    "https://[2001:db8::1]/send/1",
  ])("%s is refused", async (endpoint) => {
    const answer = await api(guarded, "POST", "/push/subscriptions", new BrowserKeys().subscription(endpoint), henry.token);
    expect(reply(answer)).toEqual({ status: 400, body: error("invalid_endpoint") });
  });

  test.each([
    "https://fcm.googleapis.com/fcm/send/abc:def",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
    "https://web.push.apple.com/QO_x",
    "https://[2606:4700:4700::1111]/send/1",
    "https://8.8.8.8/send/1",
  ])("%s is taken", async (endpoint) => {
    expect((await api(guarded, "POST", "/push/subscriptions", new BrowserKeys().subscription(endpoint), henry.token)).status).toBe(201);
  });
});

describe("configuration", () => {
  const dirs: string[] = [];
  const dataDir = () => {
    dirs.push(mkdtempSync(join(tmpdir(), "chatloop-push-config-")));
    return dirs.at(-1)!;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const production = { NODE_ENV: "production", JWT_SECRET: "a-secret-of-exactly-thirty-two-c" };
  const pair = generateVapidKeys();
  const keys = { VAPID_PUBLIC_KEY: pair.publicKey, VAPID_PRIVATE_KEY: pair.privateKey };
  /** Why loadConfig refuses the environment. */
  function refusal(env: Record<string, string>): string {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    }
    throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
  }

  test("production needs the VAPID keys and a contact: nothing is generated there", () => {
    const dir = dataDir();
    expect(refusal({ ...production, DATA_DIR: dir })).toMatch(/VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are required when NODE_ENV=production/);
    expect(existsSync(join(dir, "vapid.json"))).toBe(false);
    expect(refusal({ ...production, ...keys, DATA_DIR: dir })).toContain("VAPID_SUBJECT is required");
    const config = loadConfig({ ...production, ...keys, VAPID_SUBJECT: "https://chat.example.com/contact", DATA_DIR: dir });
    expect(config.push.vapid).toEqual({ ...pair, subject: "https://chat.example.com/contact" });
  });

  test("keys that cannot sign pushes are refused at start: one without the other, not base64url P-256, or not a pair", () => {
    const other = generateVapidKeys();
    const env = { ...production, VAPID_SUBJECT: "mailto:ops@example.com", DATA_DIR: dataDir() };
    expect(refusal({ ...env, VAPID_PUBLIC_KEY: pair.publicKey })).toContain("go together");
    expect(refusal({ ...env, ...keys, VAPID_PRIVATE_KEY: "not a key" })).toContain("VAPID_PRIVATE_KEY must be 32 bytes");
    expect(refusal({ ...env, ...keys, VAPID_PUBLIC_KEY: pair.publicKey.slice(0, 40) })).toContain("VAPID_PUBLIC_KEY must be an uncompressed P-256 point");
    expect(refusal({ ...env, ...keys, VAPID_PUBLIC_KEY: other.publicKey })).toContain("is not the public key of VAPID_PRIVATE_KEY");
    expect(refusal({ ...env, ...keys, VAPID_SUBJECT: "admin@example.com" })).toContain("VAPID_SUBJECT must be a mailto: or https: URL");
  });

  test("elsewhere a key pair is generated once into DATA_DIR/vapid.json, readable by its owner only, and the same one comes back", () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).push;
    expect(first.vapid.subject).toBe("mailto:admin@localhost");
    expect(statSync(join(dir, "vapid.json")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "vapid.json"), "utf8"))).toEqual({ publicKey: first.vapid.publicKey, privateKey: first.vapid.privateKey });
    expect(loadConfig({ DATA_DIR: dir }).push.vapid).toEqual(first.vapid);
    expect(loadConfig({ DATA_DIR: dataDir() }).push.vapid.publicKey).not.toBe(first.vapid.publicKey);
    expect(first.allowPrivateEndpoints).toBe(false);
    expect(loadConfig({ DATA_DIR: dir, PUSH_ALLOW_PRIVATE: "true" }).push.allowPrivateEndpoints).toBe(true);
  });

  test("`chatloop vapid-keys` prints a pair that production takes", async () => {
    const child = Bun.spawn([process.execPath, "src/main.ts", "vapid-keys"], { cwd: join(import.meta.dir, ".."), stdout: "pipe" });
    const printed = await new Response(child.stdout).text();
    expect(await child.exited).toBe(0);
    const env = Object.fromEntries(
      printed
        .trim()
        .split("\n")
        .map((line) => line.split("=", 2) as [string, string]),
    );
    expect(Object.keys(env)).toEqual(["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"]);
    expect(loadConfig({ ...production, ...env, VAPID_SUBJECT: "mailto:ops@example.com", DATA_DIR: dataDir() }).push.vapid.publicKey).toBe(env.VAPID_PUBLIC_KEY!);
  });
});
