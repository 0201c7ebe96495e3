// The single binary, built here with `npm run build`'s options and run alone in an empty
// folder with a bare environment: it must carry everything it needs (migrations, PGlite's
// files) and keep its embedded database across a restart.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buildBinary } from "../scripts/build-binary";
import { aloneInAFolder, bareEnv, runBinary, type RunningBinary } from "./binary-process";
import { api, closeSockets, connect, createRoom, signUp } from "./harness";

/** SIGTERM must end the process this quickly, with exit code 0. */
const STOP_WITHIN_MS = 5000;
/** A first start runs initdb, 2-4 s on two cores; a slow machine gets room to spare. */
const TEST_TIMEOUT_MS = 30_000;

let binary: string;
let dir: string;
const started: RunningBinary[] = [];

beforeAll(async () => {
  const buildDir = mkdtempSync(join(tmpdir(), "chatloop-build-"));
  await buildBinary(join(buildDir, "chatloop"));
  binary = aloneInAFolder(join(buildDir, "chatloop"));
  rmSync(buildDir, { recursive: true, force: true });
  dir = dirname(binary);
}, TEST_TIMEOUT_MS);
afterAll(async () => {
  closeSockets();
  for (const running of started) running.kill("SIGKILL"); // only those a failed test left running
  await Promise.all(started.map((running) => running.exited));
  rmSync(dir, { recursive: true, force: true });
});

/** The binary on the embedded database in `dir/data`, with no DATABASE_URL or REDIS_URL. */
async function start(): Promise<RunningBinary & { base: string }> {
  const running = await runBinary(binary, dir, { DATA_DIR: join(dir, "data") });
  started.push(running);
  return { ...running, base: running.url.replace(/\/$/, "") };
}

async function stop(running: RunningBinary): Promise<number | "still running"> {
  running.kill("SIGTERM");
  return Promise.race([running.exited, Bun.sleep(STOP_WITHIN_MS).then(() => "still running" as const)]);
}

async function healthcheck(port: string): Promise<number> {
  const child = Bun.spawn([binary, "healthcheck"], { cwd: dir, env: bareEnv({ HOST: "0.0.0.0", PORT: port }) });
  return child.exited;
}

test("alone in an empty folder, it creates its database, takes a message over Socket.IO, and still has it after a restart", async () => {
  const first = await start();
  const alice = await signUp(first, "alice");
  const room = await createRoom(first, alice, "watercooler");
  const socket = await connect(first, alice.token);
  await socket.emitWithAck("joinRoom", { roomId: room.id });
  const sent = await socket.emitWithAck("sendMessage", { roomId: room.id, content: "still here?", clientId: "m1" });
  expect(sent).toMatchObject({ seq: 1, content: "still here?" });
  socket.close();
  expect(await stop(first)).toBe(0);

  const second = await start();
  const login = await api(second, "POST", "/auth/login", { username: "alice", password: alice.password });
  expect(login.status).toBe(200);
  const history = await api(second, "GET", `/messages/${room.id}`, undefined, login.body.token);
  expect(history.body).toEqual([sent]);
  expect(await stop(second)).toBe(0);
}, TEST_TIMEOUT_MS);

test("its browser pages, and every script and stylesheet they link, come from inside the binary", async () => {
  const running = await start();
  try {
    const page = await (await fetch(`${running.base}/signin`)).text();
    const assets = [...page.matchAll(/(?:src|href)="(\/public\/[^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
    expect(assets.length).toBeGreaterThanOrEqual(3); // the stylesheet, htmx, socket.io-client, chat.js
    for (const asset of assets) {
      const response = await fetch(running.base + asset);
      expect([asset, response.status]).toEqual([asset, 200]);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
  } finally {
    expect(await stop(running)).toBe(0);
  }
}, TEST_TIMEOUT_MS);

test("`chatloop healthcheck` exits 0 while the server on PORT is ready and 1 once it has stopped", async () => {
  const running = await start();
  const { port } = new URL(running.url);
  expect(await healthcheck(port)).toBe(0);
  expect(await stop(running)).toBe(0);
  expect(await healthcheck(port)).toBe(1);
}, TEST_TIMEOUT_MS);

test("after being killed (SIGKILL, as by the OOM killer) it starts again on the same data folder", async () => {
  const killed = await start();
  killed.kill("SIGKILL");
  await killed.exited;
  const again = await start();
  expect((await api(again, "GET", "/readyz")).status).toBe(200);
  expect(await stop(again)).toBe(0);
}, TEST_TIMEOUT_MS);

test("a second process on the same data folder refuses to start, and the first one goes on", async () => {
  const first = await start();
  const second = Bun.spawn([binary], { cwd: dir, env: bareEnv({ PORT: "0", DATA_DIR: join(dir, "data") }), stderr: "pipe" });
  const [exitCode, stderr] = await Promise.all([second.exited, new Response(second.stderr).text()]);
  expect(exitCode).toBe(78);
  expect(stderr).toMatch(/DATA_DIR .* is in use/);
  expect((await api(first, "GET", "/readyz")).status).toBe(200);
  expect(await stop(first)).toBe(0);
}, TEST_TIMEOUT_MS);

// As in the image: USER 65532, which no /etc/passwd here names (Kubernetes may pick any uid).
const NOBODY = 65532;
const canRunAsNobody = process.getuid?.() === 0 && Bun.which("setpriv") !== null;

test.skipIf(!canRunAsNobody)("as a uid with no user name and only its data folder writable, it starts and answers", async () => {
  const home = mkdtempSync(join(tmpdir(), "chatloop-nobody-"));
  chmodSync(home, 0o755);
  copyFileSync(binary, join(home, "chatloop"));
  mkdirSync(join(home, "data"));
  chownSync(join(home, "data"), NOBODY, NOBODY);
  const asNobody = ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", join(home, "chatloop")];
  try {
    const running = await runBinary(asNobody, home, { DATA_DIR: join(home, "data") });
    started.push(running);
    expect((await signUp({ base: running.url.replace(/\/$/, "") }, "nobody")).token).toBeString();
    expect(await stop(running)).toBe(0);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}, TEST_TIMEOUT_MS);

test("with NODE_ENV=production and no JWT_SECRET it refuses to start and names JWT_SECRET", async () => {
  const child = Bun.spawn([binary], { cwd: dir, env: bareEnv({ NODE_ENV: "production", PORT: "0", DATA_DIR: join(dir, "prod") }), stderr: "pipe" });
  const [exitCode, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  expect(exitCode).not.toBe(0);
  expect(stderr).toContain("JWT_SECRET");
});
