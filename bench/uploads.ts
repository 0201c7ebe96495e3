// Upload timings on one test server (embedded database unless TEST_DATABASE_URL): a 10 MiB file
// that is no image, a 4000x3000 JPEG of noise (a 12-megapixel photo) (size read and preview made as it is stored),
// and reading each back. `bun bench/uploads.ts [disk|s3]`; prints JSON, medians of 5 runs.
import sharp from "sharp";
import { setLogLevel } from "../src/log";
import { createRoom, signUp, startServer, stopServer } from "../test/harness";
import { startS3 } from "../test/s3";

setLogLevel("warn");
const kind = process.argv[2] === "s3" ? "s3" : "disk";
const s3 = kind === "s3" ? await startS3() : undefined;
const server = await startServer({
  uploads: { maxBytes: 10 * 1024 * 1024, ...(s3 ? { storage: s3.storage } : { storage: { kind: "disk", dir: `/tmp/chatloop-bench-${crypto.randomUUID()}` } }) },
});
const alice = await signUp(server, "alice");
const room = await createRoom(server, alice, "bench");
const auth = { authorization: `Bearer ${alice.token}` };

const noise = new Uint8Array(10 * 1024 * 1024 - 1024);
crypto.getRandomValues(noise.subarray(0, 65536));
const photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 30 } } })
  .jpeg({ quality: 80 })
  .toBuffer();

async function time(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return Math.round(times.sort((a, b) => a - b)[2]!);
}

async function upload(bytes: BlobPart, name: string) {
  const form = new FormData();
  form.append("file", new Blob([bytes]), name);
  const response = await fetch(`${server.base}/rooms/${room.id}/uploads`, { method: "POST", body: form, headers: auth });
  if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string; url: string };
}

let last = await upload(photo, "photo.jpg");
const result = {
  storage: kind,
  photoBytes: photo.length,
  upload10MiBMs: await time(() => upload(noise, "noise.bin")),
  uploadPhotoWithPreviewMs: await time(async () => (last = await upload(photo, "photo.jpg"))),
  readPhotoMs: await time(async () => (await fetch(server.base + last.url, { headers: auth })).arrayBuffer()),
  readPreviewMs: await time(async () => (await fetch(`${server.base}${last.url}?thumb=1`, { headers: auth })).arrayBuffer()),
  previewMakeMs: await time(() => sharp(photo).resize({ width: 400 }).webp().toBuffer()),
};
console.log(JSON.stringify(result));
await stopServer(server);
await s3?.stop();
process.exit(0);
