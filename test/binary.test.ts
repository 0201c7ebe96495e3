// The single binary, built here with `npm run build`'s options and run alone in an empty
// folder with a bare environment: it must carry everything it needs (migrations, PGlite's
// files and its pg_trgm extension) and keep its embedded database across a restart.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buildBinary } from "../scripts/build-binary";
import { aloneInAFolder, bareEnv, type RunningBinary, runBinary } from "./binary-process";
import { ChatLoopProcess } from "./chatloop-process";
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
  await Promise.all(started.map((running) => running.kill())); // only those a failed test left running
  rmSync(dir, { recursive: true, force: true });
});

/** The binary on the embedded database in `dir/data`, with no DATABASE_URL or REDIS_URL. */
async function start(): Promise<RunningBinary> {
  const running = await runBinary(binary, dir, { DATA_DIR: join(dir, "data") });
  started.push(running);
  return running;
}

/** SIGTERM; how it ended, or SIGKILL if it had not within STOP_WITHIN_MS. */
function stop(running: RunningBinary) {
  return running.terminate(STOP_WITHIN_MS);
}

/** The binary in `dir` with `args` and a bare `env`, run to its end. */
function runAlone(args: string[], env: Record<string, string>) {
  return new ChatLoopProcess([binary, ...args], { cwd: dir, env: bareEnv(env) }).runToExit();
}

async function healthcheck(port: number) {
  return (await runAlone(["healthcheck"], { HOST: "0.0.0.0", PORT: String(port) })).exitCode;
}

test(
  "alone in an empty folder, it creates its database, takes a message over Socket.IO, and still has it after a restart",
  async () => {
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
    // Parts of words are found through pg_trgm, which PGlite loads from the bundle the binary carries ("ill" is found
    // inside "still" by it alone; "her", the last word, is also a prefix of "here" for the full-text search, which marks the word).
    const found = await api(second, "GET", `/search?q=${encodeURIComponent("ill her")}`, undefined, login.body.token);
    expect(found.body.map((m: { id: string; highlight: string }) => [m.id, m.highlight])).toEqual([[sent.id, "st<mark>ill</mark> <mark>here</mark>?"]]);
    expect(await stop(second)).toBe(0);
  },
  TEST_TIMEOUT_MS,
);

test(
  "its browser pages, every file they link, and the service worker come from inside the binary",
  async () => {
    const running = await start();
    try {
      const page = await (await fetch(`${running.base}/signin`)).text();
      const assets = [...page.matchAll(/(?:src|href)="(\/public\/[^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
      expect(assets.length).toBeGreaterThanOrEqual(3); // the stylesheet, htmx, socket.io-client, chat.js
      for (const asset of [...assets, "/sw.js"]) {
        const response = await fetch(running.base + asset);
        expect([asset, response.status]).toEqual([asset, 200]);
        expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100);
      }
    } finally {
      expect(await stop(running)).toBe(0);
    }
  },
  TEST_TIMEOUT_MS,
);

test(
  "`chatloop healthcheck` exits 0 while the server on PORT is ready and 1 once it has stopped",
  async () => {
    const running = await start();
    expect(await healthcheck(running.port)).toBe(0);
    expect(await stop(running)).toBe(0);
    expect(await healthcheck(running.port)).toBe(1);
  },
  TEST_TIMEOUT_MS,
);

test(
  "after being killed (SIGKILL, as by the OOM killer) it starts again on the same data folder",
  async () => {
    const killed = await start();
    await killed.kill();
    const again = await start();
    expect((await api(again, "GET", "/readyz")).status).toBe(200);
    expect(await stop(again)).toBe(0);
  },
  TEST_TIMEOUT_MS,
);

test(
  "a second process on the same data folder refuses to start, and the first one goes on",
  async () => {
    const first = await start();
    const { exitCode, stderr } = await runAlone([], { PORT: "0", DATA_DIR: join(dir, "data") });
    expect(exitCode).toBe(78);
    expect(stderr).toMatch(/DATA_DIR .* is in use/);
    expect((await api(first, "GET", "/readyz")).status).toBe(200);
    expect(await stop(first)).toBe(0);
  },
  TEST_TIMEOUT_MS,
);

// As in the image: USER 65532, which no /etc/passwd here names (Kubernetes may pick any uid).
const NOBODY = 65532;
const canRunAsNobody = process.getuid?.() === 0 && Bun.which("setpriv") !== null;

test.skipIf(!canRunAsNobody)(
  "as a uid with no user name and only its data folder writable, it starts and answers",
  async () => {
    const home = mkdtempSync(join(tmpdir(), "chatloop-nobody-"));
    chmodSync(home, 0o755);
    copyFileSync(binary, join(home, "chatloop"));
    mkdirSync(join(home, "data"));
    chownSync(join(home, "data"), NOBODY, NOBODY);
    const asNobody = ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", join(home, "chatloop")];
    try {
      const running = await runBinary(asNobody, home, { DATA_DIR: join(home, "data") });
      started.push(running);
      expect((await signUp(running, "nobody")).token).toBeString();
      expect(await stop(running)).toBe(0);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
  TEST_TIMEOUT_MS,
);

test("with NODE_ENV=production and no JWT_SECRET it refuses to start and names JWT_SECRET", async () => {
  const { exitCode, stderr } = await runAlone([], { NODE_ENV: "production", PORT: "0", DATA_DIR: join(dir, "prod") });
  expect(exitCode).not.toBe(0);
  expect(stderr).toContain("JWT_SECRET");
});

// sharp's native module (and libvips beside it) cannot be embedded: the binary takes images
// without their size or a preview, serving the picture itself as its preview, and never fails.
test(
  "without sharp, an image is still uploaded, attached, served inline, and is its own preview; an avatar is kept as it came",
  async () => {
    const running = await start();
    try {
      const alice = await signUp(running, "alice-images");
      const room = await createRoom(running, alice, "pictures");
      // A 1x1 PNG, made by hand: sharp is not here to make one either.
      const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
      const form = new FormData();
      form.append("file", new Blob([png]), "dot.png");
      const uploaded = await (await fetch(`${running.base}/rooms/${room.id}/uploads`, { method: "POST", body: form, headers: { authorization: `Bearer ${alice.token}` } })).json();
      expect(uploaded.contentType).toBe("image/png");
      const sent = await api(running, "POST", "/messages", { roomId: room.id, content: "", attachmentIds: [uploaded.id] }, alice.token);
      expect(sent.body.attachments).toEqual([{ ...uploaded, width: null, height: null }]);
      for (const url of [uploaded.url, `${uploaded.url}?thumb=1`]) {
        const file = await fetch(running.base + url, { headers: { authorization: `Bearer ${alice.token}` } });
        expect([file.status, file.headers.get("content-type")]).toEqual([200, "image/png"]);
        expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
      }
      const avatarForm = new FormData();
      avatarForm.append("file", new Blob([png]), "me.png");
      expect((await fetch(`${running.base}/me/avatar`, { method: "PUT", body: avatarForm, headers: { authorization: `Bearer ${alice.token}` } })).status).toBe(200);
      const avatar = await fetch(`${running.base}/users/${alice.id}/avatar`, { headers: { authorization: `Bearer ${alice.token}` } });
      expect(avatar.headers.get("content-type")).toBe("image/png");
    } finally {
      expect(await stop(running)).toBe(0);
    }
  },
  TEST_TIMEOUT_MS,
);
