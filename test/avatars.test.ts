// Avatars: everyone's initials until they upload a picture, which is cropped to a square; only
// images are taken; anyone signed in sees anyone's, with headers that let nothing in it run.
import { afterAll, beforeAll, expect, test } from "bun:test";
import sharp from "sharp";
import { api, error, type Person, people, reply, startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;
let alice: Person, bob: Person;

beforeAll(async () => {
  server = await startServer({ uploads: { maxBytes: 256 * 1024, storage: { kind: "disk", dir: `/tmp/chatloop-uploads-${crypto.randomUUID()}` } } });
  [alice, bob] = await people(server, "alice.smith", "bob");
});
afterAll(() => stopServer(server));

const get = (path: string, person?: Person, headers: Record<string, string> = {}) =>
  fetch(server.base + path, { headers: { ...headers, ...(person ? { authorization: `Bearer ${person.token}` } : {}) } });

async function putAvatar(person: Person, file: Blob, name = "me.png") {
  const form = new FormData();
  form.append("file", file, name);
  const response = await fetch(`${server.base}/me/avatar`, { method: "PUT", body: form, headers: { authorization: `Bearer ${person.token}` } });
  return { status: response.status, body: await response.json() };
}

test("a new person's avatar is their initials on a colour of their own, as an SVG that cannot run", async () => {
  const members = await api(server, "GET", "/users?query=alice", undefined, bob.token);
  const url = members.body[0].avatarUrl;
  expect(url).toBe(`/users/${alice.id}/avatar`);
  const avatar = await get(url, bob);
  expect(avatar.status).toBe(200);
  expect(avatar.headers.get("content-type")).toBe("image/svg+xml");
  expect(avatar.headers.get("x-content-type-options")).toBe("nosniff");
  expect(avatar.headers.get("content-security-policy")).toContain("sandbox");
  const svg = await avatar.text();
  expect(svg).toContain(">AS</text>");
  expect(svg).not.toBe(await (await get(`/users/${bob.id}/avatar`, bob)).text());
  expect((await get(url)).status).toBe(401);
  expect((await get(`/users/${crypto.randomUUID()}/avatar`, bob)).status).toBe(404);
});

test("an uploaded picture becomes a 256 px square, served to others, revalidated by its ETag", async () => {
  const before = await get(`/users/${bob.id}/avatar`, alice);
  const wide = await sharp({ create: { width: 600, height: 300, channels: 3, background: "#0ea5e9" } })
    .jpeg()
    .toBuffer();
  expect(reply(await putAvatar(bob, new Blob([wide]), "holiday.jpg"))).toEqual({ status: 200, body: { avatarUrl: `/users/${bob.id}/avatar` } });

  const after = await get(`/users/${bob.id}/avatar`, alice);
  expect(after.headers.get("content-type")).toBe("image/webp");
  expect(after.headers.get("etag")).not.toBe(before.headers.get("etag"));
  const meta = await sharp(Buffer.from(await after.arrayBuffer())).metadata();
  expect({ width: meta.width, height: meta.height }).toEqual({ width: 256, height: 256 });
  expect((await get(`/users/${bob.id}/avatar`, alice, { "if-none-match": after.headers.get("etag")! })).status).toBe(304);

  // A second upload replaces the first, whose file goes.
  const [firstRow] = await server.sql<{ avatar_key: string }[]>`select avatar_key from users where id = ${bob.id}`;
  await putAvatar(bob, new Blob([wide]));
  expect(await Bun.file(`${(server.config.uploads.storage as { dir: string }).dir}/${firstRow!.avatar_key}`).exists()).toBe(false);
});

test("anything but an image is refused, too large is 413, and the avatar stays as it was", async () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`;
  expect(reply(await putAvatar(alice, new Blob([svg], { type: "image/svg+xml" }), "me.svg"))).toEqual({ status: 400, body: error("not_an_image") });
  expect(reply(await putAvatar(alice, new Blob([new Uint8Array(256 * 1024 + 1)]), "huge.png"))).toEqual({ status: 413, body: error("file_too_large") });
  expect((await get(`/users/${alice.id}/avatar`, bob)).headers.get("content-type")).toBe("image/svg+xml");
  const [row] = await server.sql`select avatar_key from users where id = ${alice.id}`;
  expect(row!.avatar_key).toBeNull();
});

test("the profile page shows your avatar and takes a new one through its form", async () => {
  const browser = { cookie: `chatloop_session=${alice.token}`, origin: server.base };
  const profile = await fetch(`${server.base}/chat/profile`, { headers: browser });
  expect(profile.status).toBe(200);
  const page = await profile.text();
  expect(page).toContain(`<img src="/users/${alice.id}/avatar" alt="Your avatar"`);
  expect(page).toContain(`<form method="post" action="/chat/profile/avatar" enctype="multipart/form-data"`);

  const form = new FormData();
  form.append("file", new Blob(["not a picture"], { type: "image/png" }), "fake.png");
  const refused = await fetch(`${server.base}/chat/profile/avatar`, { method: "POST", body: form, headers: browser, redirect: "manual" });
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain("an avatar must be a PNG, JPEG, GIF or WebP image");

  const picture = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#f59e0b" } })
    .png()
    .toBuffer();
  const good = new FormData();
  good.append("file", new Blob([picture]), "me.png");
  const taken = await fetch(`${server.base}/chat/profile/avatar`, { method: "POST", body: good, headers: browser, redirect: "manual" });
  expect([taken.status, taken.headers.get("location")]).toEqual([303, "/chat/profile"]);
  expect((await get(`/users/${alice.id}/avatar`, bob)).headers.get("content-type")).toBe("image/webp");
});
