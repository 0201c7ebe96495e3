// Several instances as one: PostgreSQL holds the log, Redis carries fan-out between them.
// Each drill joins what clients sent, what was acknowledged and what they received with the
// database. Needs a real PostgreSQL and Redis (TEST_DATABASE_URL, TEST_REDIS_URL).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { Redis } from "ioredis";
import postgresClient from "postgres";
import { type Config, DEFAULT_POOL_SIZE } from "../src/config";
import { ANSWER_DEADLINE_MS, STATEMENT_TIMEOUT_MS } from "../src/db/timeouts";
import type { Message } from "../src/messages/schemas";
import { ChatLoopFromSource } from "./chatloop-process";
import {
  api,
  type ChatSocket,
  closeSockets,
  connect,
  createRoom,
  databaseUrl,
  type Endpoint,
  flush,
  inbox,
  nextPresenceOf,
  type Person,
  redisUrl,
  signUp,
  startPeer,
  startServer,
  stopServer,
  type TestServer,
  testConfig,
} from "./harness";
import { OwnPostgres, OwnRedis, TcpProxy, waitFor } from "./services";

const seqs = (messages: Message[]) => messages.map((m) => m.seq);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** What `promise` answered, and how long it took, in ms. */
async function timed<T>(promise: Promise<T>): Promise<{ answer: T; ms: number }> {
  const started = performance.now();
  const answer = await promise;
  return { answer, ms: Math.round(performance.now() - started) };
}

type Answer = Message | { code: string; message: string };
const isMessage = (answer: Answer): answer is Message => "id" in answer;
/** The longest any send may wait for its answer while PostgreSQL does not answer: its deadline, and time to spare on a busy machine. */
const FAIL_WITHIN_MS = ANSWER_DEADLINE_MS + 1000;

/**
 * What a careful client does: sends, and while the answer is `unavailable` sends again with
 * the same clientId (a few times: the first query after a restart may meet a dead connection).
 */
async function sendUntilStored(socket: ChatSocket, roomId: string, content: string, clientId: string, attempts = 3): Promise<Message> {
  const answer = await socket.emitWithAck("sendMessage", { roomId, content, clientId });
  if ("id" in answer) return answer as Message;
  if (answer.code === "unavailable" && attempts > 1) return sendUntilStored(socket, roomId, content, clientId, attempts - 1);
  throw Object.assign(new Error(answer.message), { code: answer.code });
}

describe.skipIf(!databaseUrl || !redisUrl)("several instances on one PostgreSQL and one Redis", () => {
  let a: TestServer, b: TestServer, c: TestServer;
  let alice: Person, bob: Person, carol: Person;

  beforeAll(async () => {
    a = await startServer();
    [b, c] = await Promise.all([startPeer(a), startPeer(a)]);
    [alice, bob, carol] = await Promise.all([signUp(a, "alice"), signUp(b, "bob"), signUp(c, "carol")]);
  });
  afterEach(closeSockets);
  afterAll(async () => {
    await Promise.all([stopServer(b), stopServer(c)]);
    await stopServer(a);
  });

  test("a message sent to any instance reaches every member on every instance, in seq order", async () => {
    const room = await createRoom(a, alice, "watercooler");
    await api(b, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    await api(c, "POST", `/rooms/${room.id}/join`, undefined, carol.token);
    const sockets = await Promise.all([connect(a, alice.token), connect(b, bob.token), connect(c, carol.token), connect(c, alice.token), connect(b, carol.token)]);
    await Promise.all(sockets.map((s) => s.emitWithAck("joinRoom", { roomId: room.id })));
    const inboxes = sockets.map(inbox);

    await Promise.all(sockets.flatMap((s, i) => oneTo(6).map((n) => s.emitWithAck("sendMessage", { roomId: room.id, content: `${i}.${n}` }))));

    const heard = await Promise.all(inboxes.map((box) => box.until(30)));
    for (const messages of heard) expect(seqs(messages)).toEqual(oneTo(30));
    for (const messages of heard.slice(1)) expect(messages).toEqual(heard[0]!);
  });

  test("a room's messages reach only the instances with sockets in it, from the first join to the last leave", async () => {
    const room = await createRoom(a, alice, "routed");
    await api(b, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const redis = new Redis(redisUrl!);
    /** The instances that hear the room's messages: its channel's subscribers. */
    const hearing = async () => ((await redis.call("PUBSUB", "SHARDNUMSUB", `${a.config.redisPrefix}:room:${room.id}`)) as [string, number])[1];
    try {
      const aliceOnA = await connect(a, alice.token);
      await aliceOnA.emitWithAck("joinRoom", { roomId: room.id });
      expect(await hearing()).toBe(1);
      const bobOnB = await connect(b, bob.token);
      await bobOnB.emitWithAck("joinRoom", { roomId: room.id });
      expect(await hearing()).toBe(2); // subscribed before the join is answered
      const bobHears = inbox(bobOnB);
      await aliceOnA.emitWithAck("sendMessage", { roomId: room.id, content: "both of you" });
      expect((await bobHears.until(1)).map((m) => m.content)).toEqual(["both of you"]);

      bobOnB.close();
      await waitFor(async () => (await hearing()) === 1, "b to stop hearing the room");
      await aliceOnA.emitWithAck("sendMessage", { roomId: room.id, content: "only a hears this" });
      const bobAgain = await connect(b, bob.token);
      const bobHearsAgain = inbox(bobAgain);
      await bobAgain.emitWithAck("joinRoom", { roomId: room.id, after: 1 });
      expect(await hearing()).toBe(2);
      await aliceOnA.emitWithAck("sendMessage", { roomId: room.id, content: "b hears again" });
      expect(seqs(await bobHearsAgain.until(2))).toEqual([2, 3]);
    } finally {
      redis.disconnect();
    }
  });

  test("a member removed on one instance stops receiving on another", async () => {
    const room = await createRoom(a, alice, "private plans", true);
    for (const person of [bob, carol]) await api(a, "POST", `/rooms/${room.id}/invites`, { username: person.username }, alice.token);
    const bobOnB = await connect(b, bob.token);
    const carolOnB = await connect(b, carol.token);
    const aliceOnA = await connect(a, alice.token);
    for (const s of [bobOnB, carolOnB, aliceOnA]) await s.emitWithAck("joinRoom", { roomId: room.id });
    const [bobHears, carolHears] = [inbox(bobOnB), inbox(carolOnB)];

    expect((await api(a, "DELETE", `/rooms/${room.id}/members/${bob.id}`, undefined, alice.token)).status).toBe(204);
    await aliceOnA.emitWithAck("sendMessage", { roomId: room.id, content: "now that bob is gone" });
    await carolHears.until(1);
    await flush(bobOnB);
    expect(bobHears.messages).toEqual([]);
  });

  test("logging out on one instance disconnects the session's sockets on every instance", async () => {
    const { body } = await api(a, "POST", "/auth/login", { username: "bob", password: bob.password });
    const [onB, onC] = [await connect(b, body.token), await connect(c, body.token)];
    const gone = Promise.all([onB, onC].map((s) => new Promise((resolve) => s.once("disconnect", resolve))));
    expect((await api(a, "POST", "/auth/logout", undefined, body.token)).status).toBe(204);
    await gone;
  });

  test("presence is shared: a member online on one instance shows online on another, until their last socket leaves", async () => {
    const room = await createRoom(a, alice, "lobby");
    await api(a, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const watcher = await connect(a, alice.token);
    await watcher.emitWithAck("joinRoom", { roomId: room.id });
    const bobOnB = await connect(b, bob.token);
    const cameOnline = nextPresenceOf(watcher, bob);
    await bobOnB.emitWithAck("joinRoom", { roomId: room.id });
    expect(await cameOnline).toEqual({ roomId: room.id, userId: bob.id, online: true });
    const online = async () =>
      (await api(c, "GET", `/rooms/${room.id}/members`, undefined, alice.token)).body.filter((m: { online: boolean }) => m.online).map((m: { username: string }) => m.username);
    expect(await online()).toEqual(["alice", "bob"]);
    const wentOffline = nextPresenceOf(watcher, bob);
    bobOnB.close();
    expect(await wentOffline).toEqual({ roomId: room.id, userId: bob.id, online: false });
    expect(await online()).toEqual(["alice"]);
  });

  test("clients of a killed instance reconnect to another and end with every message exactly once", async () => {
    const room = await createRoom(a, alice, "survivors");
    await api(a, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const doomed = new ChatLoopFromSource(b.config);
    await doomed.start();
    const sender = await connect(a, alice.token);
    await sender.emitWithAck("joinRoom", { roomId: room.id });
    const first = await connect(doomed, bob.token);
    await first.emitWithAck("joinRoom", { roomId: room.id, after: 0 });
    const before = inbox(first);

    for (const n of oneTo(20)) await sender.emitWithAck("sendMessage", { roomId: room.id, content: `m${n}` });
    await before.until(20);
    const disconnected = new Promise((resolve) => first.once("disconnect", resolve));
    await doomed.kill();
    await disconnected;
    for (const n of oneTo(20)) await sender.emitWithAck("sendMessage", { roomId: room.id, content: `m${20 + n}` });

    // What a load balancer does after an instance dies: the client lands on another one.
    const lastSeq = before.messages.at(-1)!.seq;
    const second = await connect(c, bob.token);
    const after = inbox(second);
    await second.emitWithAck("joinRoom", { roomId: room.id, after: lastSeq });
    await sender.emitWithAck("sendMessage", { roomId: room.id, content: "m41" });
    await after.until(41 - lastSeq);
    expect(seqs([...before.messages, ...after.messages])).toEqual(oneTo(41));
  });

  test("an instance stopped with SIGTERM finishes what it acknowledged, exits 0, and its clients carry on elsewhere", async () => {
    const room = await createRoom(a, alice, "rolling restart");
    const leaving = new ChatLoopFromSource(b.config);
    await leaving.start();
    const socket = await connect(leaving, alice.token);
    await socket.emitWithAck("joinRoom", { roomId: room.id });
    const heard = inbox(socket);

    // A burst of sends, and SIGTERM while they are under way.
    const burst = oneTo(30).map((n) => socket.emitWithAck("sendMessage", { roomId: room.id, content: `m${n}`, clientId: `sigterm-${n}` }).catch(() => undefined));
    const exitCode = leaving.terminate();
    const answers = await Promise.all(burst);
    expect(await exitCode).toBe(0);

    const acked = answers.filter((a): a is Message => a !== undefined && "id" in a);
    const refused = answers.filter((a) => a !== undefined && !("id" in a));
    for (const answer of refused) expect(["shutting_down", "unavailable"]).toContain((answer as { code: string }).code);
    const stored = await a.sql<{ client_id: string }[]>`select client_id from messages where room_id = ${room.id}`;
    for (const message of acked) expect(stored.map((r) => r.client_id)).toContain(message.clientId!);

    // The client moves to a surviving instance and retries what got no answer.
    const moved = await connect(a, alice.token);
    const caughtUp = inbox(moved);
    await moved.emitWithAck("joinRoom", { roomId: room.id, after: heard.messages.at(-1)?.seq ?? 0 });
    for (const [i, answer] of answers.entries()) {
      if (answer === undefined || !("id" in answer)) await moved.emitWithAck("sendMessage", { roomId: room.id, content: `m${i + 1}`, clientId: `sigterm-${i + 1}` });
    }
    const [count] = await a.sql<{ n: number; top: number }[]>`select count(*)::int as n, max(seq)::int as top from messages where room_id = ${room.id}`;
    expect(count).toEqual({ n: 30, top: 30 });
    await caughtUp.until(30 - heard.messages.length);
    expect(seqs([...heard.messages, ...caughtUp.messages])).toEqual(oneTo(30));
  });
});

describe.skipIf(!databaseUrl || !redisUrl)("an instance that stops", () => {
  let a: TestServer;
  let alice: Person, bob: Person;
  beforeAll(async () => {
    a = await startServer();
    [alice, bob] = await Promise.all([signUp(a, "alice"), signUp(a, "bob")]);
  });
  afterEach(closeSockets);
  afterAll(() => stopServer(a));

  /** Another instance on the same database and Redis, with alice connected to it. */
  async function leavingWithAlice() {
    const leaving = new ChatLoopFromSource(a.config);
    await leaving.start();
    return { leaving, aliceThere: await connect(leaving, alice.token) };
  }

  test("disconnects its own sockets only: another instance's stay connected", async () => {
    const bobOnA = await connect(a, bob.token);
    let dropped = false;
    bobOnA.on("disconnect", () => (dropped = true));
    const { leaving, aliceThere } = await leavingWithAlice();
    const aliceGone = new Promise((resolve) => aliceThere.once("disconnect", resolve));
    expect(await leaving.terminate()).toBe(0);
    await aliceGone;
    await flush(bobOnA);
    expect(dropped).toBe(false);
  });

  test("still tells the other instances of its last message: a member there, who never joined the room, hears its roomActivity", async () => {
    const room = await createRoom(a, alice, "last words");
    await api(a, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const bobOnA = await connect(a, bob.token);
    const told = new Promise((resolve) => bobOnA.on("roomActivity", (activity) => activity.roomId === room.id && resolve(activity)));
    const { leaving, aliceThere } = await leavingWithAlice();
    expect(await aliceThere.emitWithAck("sendMessage", { roomId: room.id, content: "last words" })).toHaveProperty("seq", 1);
    expect(await leaving.terminate()).toBe(0); // at once: the message's news is still being gathered
    expect(await told).toEqual({ roomId: room.id, lastSeq: 1, unreadCount: 1, mentionCount: 0 });
  });
});

describe.skipIf(!databaseUrl || !redisUrl)("fault drills on a PostgreSQL and a Redis of the test's own", () => {
  const redis = new OwnRedis();
  const postgres = new OwnPostgres();
  // Real processes, as in production: a fault must not end them, and the test can tell.
  let a: ChatLoopFromSource, b: ChatLoopFromSource;
  let config: Config;
  let db: ReturnType<typeof postgresClient>;
  let alice: Person, bob: Person;

  beforeAll(async () => {
    await Promise.all([redis.start(), postgres.init()]);
    config = testConfig({ databaseUrl: postgres.url, redisUrl: redis.url });
    a = new ChatLoopFromSource(config);
    await a.start(); // migrates before the other starts
    b = new ChatLoopFromSource(config);
    await b.start();
    db = postgresClient(postgres.url, { max: 1, onnotice: () => {} });
    [alice, bob] = await Promise.all([signUp(a, "alice"), signUp(b, "bob")]);
  }, 60_000);
  afterEach(closeSockets);
  afterAll(async () => {
    await Promise.all([a.terminate(), b.terminate()]);
    await db.end();
    await redis.stop();
    await postgres.destroy();
  });

  async function twoMembersOf(name: string, senderOn: Endpoint = a) {
    const room = await createRoom(a, alice, name);
    await api(b, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const sender = await connect(senderOn, alice.token);
    const listener = await connect(b, bob.token);
    await sender.emitWithAck("joinRoom", { roomId: room.id });
    await listener.emitWithAck("joinRoom", { roomId: room.id });
    return { room, sender, listener, heard: inbox(listener) };
  }

  /** A ChatLoop process that reaches PostgreSQL only through a proxy of the test's, to put faults between them. */
  async function behindProxy(run: (proxy: TcpProxy, c: ChatLoopFromSource) => Promise<void>): Promise<void> {
    const proxy = new TcpProxy(postgres.url);
    await proxy.start();
    const c = new ChatLoopFromSource({ ...config, databaseUrl: proxy.url });
    try {
      await c.start();
      await run(proxy, c);
      expect({ exitCode: c.exitCode, stderr: c.stderr.match(/.*(uncaught|unhandled).*/gi) ?? [] }).toEqual({ exitCode: null, stderr: [] });
    } finally {
      await c.terminate();
      await proxy.stop();
    }
  }

  /**
   * What a careful client ends with after a fault: each of messages 1..count stored once, under
   * the clientId it was sent with (`${drill}${n}`), as acknowledged, numbered 1..count; and
   * every member holding every one of them exactly once, in order.
   */
  async function expectEveryMessageOnce(
    drill: string,
    roomId: string,
    acked: Map<number, Message>,
    count: number,
    members: { socket: ChatSocket; box: ReturnType<typeof inbox> }[],
  ) {
    const rows = await db<{ client_id: string; seq: string }[]>`select client_id, seq from messages where room_id = ${roomId} order by seq`;
    expect(rows.map((r) => Number(r.seq))).toEqual(oneTo(count));
    expect(rows.map((r) => r.client_id).sort()).toEqual(
      oneTo(count)
        .map((n) => `${drill}${n}`)
        .sort(),
    );
    for (const [n, message] of acked) expect(rows.find((r) => r.client_id === `${drill}${n}`)?.seq).toBe(String(message.seq));
    for (const { socket, box } of members) {
      await box.until(count);
      await flush(socket); // anything more (a duplicate) would have arrived by now
      expect(seqs(box.messages)).toEqual(oneTo(count));
    }
  }

  test("Redis restarting mid-traffic loses nothing: every member ends with every message exactly once, in order", async () => {
    const { room, sender, heard } = await twoMembersOf("through the outage");
    for (const n of oneTo(10)) await sender.emitWithAck("sendMessage", { roomId: room.id, content: `before ${n}` });
    await heard.until(10);
    await redis.stop();
    const acked = [];
    for (const n of oneTo(10)) acked.push(await sender.emitWithAck("sendMessage", { roomId: room.id, content: `during ${n}` }));
    expect(acked.every((ack) => "id" in ack)).toBe(true); // PostgreSQL is up: every send is stored
    await redis.start();
    // No message after the outage is needed: the instances reconcile with the log by themselves.
    expect(seqs(await heard.until(20))).toEqual(oneTo(20));
    // And both hear the room's channel again: what follows is not left to reconciling.
    const fresh = new Redis(redis.url);
    const channel = `${config.redisPrefix}:room:${room.id}`;
    await waitFor(async () => ((await fresh.call("PUBSUB", "SHARDNUMSUB", channel)) as [string, number])[1] === 2, "both instances to subscribe again").finally(() =>
      fresh.disconnect(),
    );
    for (const n of oneTo(5)) await sender.emitWithAck("sendMessage", { roomId: room.id, content: `after ${n}` });
    expect(seqs(await heard.until(25))).toEqual(oneTo(25));
    expect([a.exitCode, b.exitCode]).toEqual([null, null]);
  });

  test("PostgreSQL restarting mid-traffic: sends fail clearly, retries store each message exactly once, service resumes", async () => {
    const { room, sender, heard } = await twoMembersOf("through the restart");
    const stored = new Map<string, Message>();
    const send = async (n: number, attempts?: number) => stored.set(`c${n}`, await sendUntilStored(sender, room.id, `m${n}`, `c${n}`, attempts));

    for (const n of oneTo(10)) await send(n);
    // Sends racing the shutdown: some may be stored, the rest fail with a clear error.
    const racing = Promise.allSettled([11, 12, 13, 14, 15].map((n) => send(n, 1)));
    await postgres.stop();
    for (const outcome of (await racing).filter((r) => r.status === "rejected")) {
      expect((outcome.reason as { code: string }).code).toBe("unavailable");
    }
    const failed = [11, 12, 13, 14, 15].filter((n) => !stored.has(`c${n}`));
    const ready = await timed(api(a, "GET", "/readyz"));
    expect(ready.answer.status).toBe(503);
    const refused = await timed(
      send(16, 1).then(
        () => ({ code: "stored" }),
        (error: { code: string }) => error,
      ),
    );
    expect(refused.answer.code).toBe("unavailable");

    await postgres.start();
    for (const n of [...failed, 16, 17, 18, 19, 20]) await send(n); // the same clientIds again
    expect((await api(a, "GET", "/readyz")).status).toBe(200);

    const rows = await db<{ client_id: string; seq: string }[]>`select client_id, seq from messages where room_id = ${room.id} order by seq`;
    expect(rows.map((r) => Number(r.seq))).toEqual(oneTo(20));
    expect(new Set(rows.map((r) => r.client_id))).toEqual(new Set(oneTo(20).map((n) => `c${n}`)));
    for (const [clientId, message] of stored) expect(rows.find((r) => r.client_id === clientId)?.seq).toBe(String(message.seq));
    expect(seqs(await heard.until(20))).toEqual(oneTo(20));
    expect([a.exitCode, b.exitCode]).toEqual([null, null]);
    console.log(`postgres restart drill: while it was down a send failed in ${refused.ms} ms, /readyz said 503 in ${ready.ms} ms`);
  }, 60_000);

  test("PostgreSQL frozen mid-traffic (connections open, nothing answered): sends fail with unavailable within 3 s, /readyz says 503 within 1.5 s, /healthz stays 200, and after the thaw the server recovers by itself and retries store each message exactly once", async () => {
    await behindProxy(async (proxy, c) => {
      const { room, sender, listener, heard } = await twoMembersOf("through the freeze", c);
      const own = inbox(sender);
      const send = (n: number) => timed<Answer>(sender.timeout(10_000).emitWithAck("sendMessage", { roomId: room.id, content: `m${n}`, clientId: `freeze-${n}` }));
      const acked = new Map<number, Message>();
      const keep = (n: number, answer: Answer) => isMessage(answer) && acked.set(n, answer);
      for (const n of oneTo(5)) keep(n, (await send(n)).answer);

      // Three sends under way as it freezes, then three more and a REST post while it is frozen.
      const racing = [6, 7, 8].map((n) => send(n));
      proxy.freeze();
      const answers = await Promise.all(racing);
      for (const n of [9, 10, 11]) answers.push(await send(n));
      const rest = await timed(api(c, "POST", "/messages", { roomId: room.id, content: "m12", clientId: "freeze-12" }, alice.token));
      const ready = await timed(api(c, "GET", "/readyz"));
      const alive = await timed(api(c, "GET", "/healthz"));

      answers.forEach(({ answer }, i) => keep(6 + i, answer));
      for (const { answer, ms } of answers) {
        if (!isMessage(answer)) expect(answer.code).toBe("unavailable");
        expect(ms).toBeLessThan(FAIL_WITHIN_MS);
      }
      expect(answers.slice(3).filter(({ answer }) => isMessage(answer))).toEqual([]); // frozen: nothing is stored, nothing acknowledged
      expect([rest.answer.status, rest.answer.body.code]).toEqual([503, "unavailable"]);
      expect(rest.ms).toBeLessThan(FAIL_WITHIN_MS);
      expect(ready.answer.status).toBe(503);
      expect(ready.ms).toBeLessThan(1500);
      expect(alive.answer.status).toBe(200);

      proxy.thaw();
      const thawed = performance.now();
      await waitFor(async () => (await api(c, "GET", "/readyz")).status === 200, "ChatLoop to be ready again");
      const recovered = Math.round(performance.now() - thawed);
      // The client sends again, with the same clientId, everything that got no stored message back.
      for (const n of oneTo(12)) if (!acked.has(n)) acked.set(n, await sendUntilStored(sender, room.id, `m${n}`, `freeze-${n}`));
      for (const n of [13, 14, 15]) acked.set(n, await sendUntilStored(sender, room.id, `m${n}`, `freeze-${n}`));

      await expectEveryMessageOnce("freeze-", room.id, acked, 15, [
        { socket: listener, box: heard },
        { socket: sender, box: own },
      ]);
      const failed = [...answers.filter(({ answer }) => !isMessage(answer)).map(({ ms }) => ms), rest.ms];
      console.log(
        `postgres freeze drill: sends failed in ${Math.min(...failed)}-${Math.max(...failed)} ms, /readyz said 503 in ${ready.ms} ms, ready again ${recovered} ms after the thaw`,
      );
    });
  }, 60_000);

  test("PostgreSQL connections cut off for good mid-traffic (a partition that forgets them, without a reset): the server gives them up, reconnects by itself, and retries store each message exactly once", async () => {
    await behindProxy(async (proxy, c) => {
      const { room, sender, listener, heard } = await twoMembersOf("through the partition", c);
      const own = inbox(sender);
      const send = (n: number) => timed<Answer>(sender.timeout(10_000).emitWithAck("sendMessage", { roomId: room.id, content: `m${n}`, clientId: `cut-${n}` }));
      const acked = new Map<number, Message>();
      for (const n of oneTo(5)) acked.set(n, (await send(n)).answer as Message);

      // Every connection of the pool open, so that every one is cut: none is left untouched to carry on.
      await Promise.all(oneTo(50).map(() => api(c, "GET", `/messages/${room.id}`, undefined, alice.token)));
      const cut = performance.now();
      expect(await proxy.cut()).toBe(DEFAULT_POOL_SIZE);
      // The client goes on sending, one after another, until a send is stored again.
      const answers: { answer: Answer; ms: number }[] = [];
      for (let n = 6; !answers.some(({ answer }) => isMessage(answer)); n++) {
        expect(performance.now() - cut).toBeLessThan(15_000);
        const sent = await send(n);
        answers.push(sent);
        if (isMessage(sent.answer)) acked.set(n, sent.answer);
        else expect(sent.answer.code).toBe("unavailable");
        expect(sent.ms).toBeLessThan(FAIL_WITHIN_MS);
      }
      const recovered = Math.round(performance.now() - cut);
      const count = 5 + answers.length + 3;
      for (const n of oneTo(count)) if (!acked.has(n)) acked.set(n, await sendUntilStored(sender, room.id, `m${n}`, `cut-${n}`));

      await expectEveryMessageOnce("cut-", room.id, acked, count, [
        { socket: listener, box: heard },
        { socket: sender, box: own },
      ]);
      console.log(
        `postgres partition drill: ${answers.length - 1} sends failed in ${answers
          .slice(0, -1)
          .map(({ ms }) => ms)
          .join(", ")} ms, a send was stored again ${recovered} ms after the cut`,
      );
    });
  }, 60_000);

  test("a send held up behind a lock is cancelled by PostgreSQL at its statement timeout with unavailable, while sends to other rooms go on, and its retry is stored", async () => {
    const [held, free] = [await createRoom(a, alice, "held up"), await createRoom(a, alice, "free")];
    const sender = await connect(a, alice.token);
    const send = (roomId: string, clientId: string) => timed<Answer>(sender.timeout(10_000).emitWithAck("sendMessage", { roomId, content: clientId, clientId }));

    const { blocked, other } = await db.begin(async (tx) => {
      await tx`select 1 from rooms where id = ${held.id} for update`;
      const blocked = send(held.id, "slow-1");
      await waitFor(
        async () => (await tx<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock'`)[0]!.n > 0,
        "the send to wait on the lock",
      );
      return { other: await send(free.id, "slow-2"), blocked: await blocked };
    });
    expect(isMessage(other.answer)).toBe(true);
    expect(other.ms).toBeLessThan(1000);
    expect((blocked.answer as { code: string }).code).toBe("unavailable");
    expect(blocked.ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS);
    expect(blocked.ms).toBeLessThan(ANSWER_DEADLINE_MS); // PostgreSQL ended it, not the client's deadline
    expect((await sendUntilStored(sender, held.id, "slow-1", "slow-1")).seq).toBe(1);
    console.log(`postgres slow statement drill: the send behind the lock failed in ${blocked.ms} ms, one to another room was stored in ${other.ms} ms meanwhile`);
  });
});
