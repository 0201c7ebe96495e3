// compose.yaml's topology without Docker, on this machine: two binaries in production mode on
// one PostgreSQL and one Redis, behind HAProxy running haproxy.cfg with its host names
// replaced by local ports. Needs `npm run build`, haproxy on PATH, and PostgreSQL and Redis at
// TEST_DATABASE_URL and TEST_REDIS_URL (the defaults of `npm run test:services`).
//   bun deploy/check-without-docker.ts
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import postgres from "postgres";
import { generateVapidKeys } from "../src/push/keys";
import { aloneInAFolder, runBinary } from "../test/binary-process";
import { closeSockets, connect, createRoom, inbox, signUp } from "../test/harness";

const databaseUrl = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const redisUrl = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const name = `chatloop_compose_${process.pid}`;
const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`); // a name we made, not input
const url = new URL(databaseUrl);
url.pathname = `/${name}`;

const vapid = generateVapidKeys();
const binary = aloneInAFolder(join(import.meta.dir, "../dist/chatloop"));
const dir = dirname(binary);
const instance = (n: number) =>
  runBinary(binary, dir, {
    NODE_ENV: "production",
    JWT_SECRET: "one-secret-shared-by-both-instances-0123456789",
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: "mailto:ops@chatloop.invalid",
    DATABASE_URL: url.href,
    REDIS_URL: redisUrl,
    DATA_DIR: join(dir, `data${n}`),
    REGISTRATION: "open", // the check signs up two people without a join link
  });
// Together, as compose starts them once PostgreSQL is healthy.
const instances = await Promise.all([instance(1), instance(2)]);

const lbPort = await freePort();
const config = join(dir, "haproxy.cfg");
writeFileSync(
  config,
  readFileSync(join(import.meta.dir, "haproxy.cfg"), "utf8")
    .replace("bind :8080", `bind 127.0.0.1:${lbPort}`)
    .replace("chatloop1:3000", new URL(instances[0].base).host)
    .replace("chatloop2:3000", new URL(instances[1].base).host),
);
const haproxy = Bun.spawn(["haproxy", "-db", "-f", config], { stdout: "ignore", stderr: "inherit" });
const lb = { base: `http://127.0.0.1:${lbPort}` };
const results: Record<string, unknown> = {};
try {
  await Bun.sleep(1000); // HAProxy's first health checks
  results.lbHealth = (await fetch(`${lb.base}/lb-health`)).status;
  const ready = await fetch(`${lb.base}/readyz`);
  results.readyzThroughLb = ready.status;
  const sticky = ready.headers.get("set-cookie") ?? "";
  const [behindLb, other] = sticky.includes("chatloop1") ? instances : [instances[1], instances[0]];
  results.stickyCookie = sticky;

  const alice = await signUp(lb, "alice");
  const bob = await signUp(lb, "bob");
  const room = await createRoom(lb, alice, "watercooler");
  // Alice through HAProxy on long-polling only (which needs the stickiness); Bob straight to the other instance.
  const viaLb = await connect(lb, alice.token, ["polling"]);
  const direct = await connect(other, bob.token);
  await viaLb.emitWithAck("joinRoom", { roomId: room.id });
  await direct.emitWithAck("joinRoom", { roomId: room.id });
  const bobHears = inbox(direct);
  const sent = await viaLb.emitWithAck("sendMessage", { roomId: room.id, content: "across instances", clientId: "c1" });
  const heard = await Promise.race([bobHears.until(1), Bun.sleep(3000).then(() => [])]);
  results.deliveredToTheOtherInstance = heard[0]?.id === (sent as { id?: string }).id;

  const pollers = await Promise.all(Array.from({ length: 10 }, () => connect(lb, alice.token, ["polling"])));
  const acks = await Promise.all(
    pollers.map(async (socket, i) => {
      await socket.emitWithAck("joinRoom", { roomId: room.id });
      return socket.emitWithAck("sendMessage", { roomId: room.id, content: `poll ${i}`, clientId: `p${i}` });
    }),
  );
  results.pollingClientsThroughLbThatSent = acks.filter((ack) => "seq" in ack).length;

  results.stoppedInstanceExitCode = await behindLb.terminate();
  results.readyzThroughLbRightAfter = (await fetch(`${lb.base}/readyz`)).status;
} finally {
  closeSockets();
  haproxy.kill("SIGTERM");
  await Promise.all([haproxy.exited, ...instances.map((running) => running.terminate())]);
  rmSync(dir, { recursive: true, force: true });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
console.log(JSON.stringify(results, null, 2));

async function freePort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}
