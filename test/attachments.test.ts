// Attachments: uploads stored on disk and in S3 (a real S3-protocol server), claimed by a send
// in its own statement, served with the room's permissions and headers that let nothing
// uploaded run, refused when too large before the body is read, swept when never attached.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { connect as tcpConnect } from "node:net";
import sharp from "sharp";
import { openStorage } from "../src/attachments/storage";
import { sweepUploads } from "../src/attachments/uploads";
import type { UploadsConfig } from "../src/config";
import {
  api,
  closeSockets,
  connect,
  createRoom,
  databaseUrl,
  error,
  inbox,
  invite,
  type Person,
  people,
  redisUrl,
  reply,
  startPeer,
  startServer,
  stopServer,
  type TestServer,
} from "./harness";
import { type S3Server, startS3 } from "./s3";

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: "#3b82f6" } })
    .png()
    .toBuffer();

async function upload(server: TestServer, person: Person | undefined, roomId: string, file: Blob, name: string) {
  const form = new FormData();
  form.append("file", file, name);
  const response = await fetch(`${server.base}/rooms/${roomId}/uploads`, { method: "POST", body: form, headers: person ? { authorization: `Bearer ${person.token}` } : {} });
  return { status: response.status, body: await response.json() };
}

const fetchFile = (server: TestServer, person: Person | undefined, url: string) => fetch(server.base + url, { headers: person ? { authorization: `Bearer ${person.token}` } : {} });

const attachmentCount = async (server: TestServer) => Number((await server.sql`select count(*) as n from attachments`)[0]!.n);
const messageCount = async (server: TestServer) => Number((await server.sql`select count(*) as n from messages`)[0]!.n);

afterEach(closeSockets);

let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.stop());

describe.each(["disk", "s3"] as const)("on %s", (kind) => {
  let server: TestServer;
  let alice: Person, bob: Person, carol: Person;
  beforeAll(async () => {
    server = await startServer(kind === "s3" ? { uploads: { maxBytes: 10 * 1024 * 1024, storage: s3.storage } } : {});
    [alice, bob, carol] = await people(server, "alice", "bob", "carol");
  });
  afterAll(() => stopServer(server));

  test("an image is uploaded, sent with empty content, and reaches history, live sockets and its readers inline", async () => {
    const room = await createRoom(server, alice, "photos");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const bobSocket = await connect(server, bob.token);
    await bobSocket.emitWithAck("joinRoom", { roomId: room.id });
    const heard = inbox(bobSocket);

    const bytes = await png(1200, 800);
    const uploaded = await upload(server, alice, room.id, new Blob([bytes], { type: "application/octet-stream" }), "sunset.png");
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toEqual({ id: expect.any(String), name: "sunset.png", size: bytes.length, contentType: "image/png", url: `/attachments/${uploaded.body.id}` });

    const sent = await api(server, "POST", "/messages", { roomId: room.id, content: "", attachmentIds: [uploaded.body.id] }, alice.token);
    expect(sent.status).toBe(201);
    const attachment = { ...uploaded.body, width: 1200, height: 800 };
    expect(sent.body.attachments).toEqual([attachment]);
    expect(sent.body.content).toBe("");
    expect((await heard.until(1))[0]!.attachments).toEqual([attachment]);
    expect((await api(server, "GET", `/messages/${room.id}`, undefined, bob.token)).body[0].attachments).toEqual([attachment]);

    const file = await fetchFile(server, bob, attachment.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(file.headers.get("content-disposition")).toBe(`inline; filename="sunset.png"; filename*=UTF-8''sunset.png`);
    expect(file.headers.get("x-content-type-options")).toBe("nosniff");
    expect(file.headers.get("content-security-policy")).toContain("sandbox");
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);

    const thumb = await fetchFile(server, bob, `${attachment.url}?thumb=1`);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect({ width: meta.width, height: meta.height }).toEqual({ width: 400, height: 267 });
  });

  test("SVG and HTML are downloads, never inline, and a claimed image type that the bytes deny is not believed", async () => {
    const room = await createRoom(server, alice, "files");
    const cases = [
      { name: "logo.svg", type: "image/svg+xml", body: `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, expected: "image/svg+xml" },
      { name: "page.html", type: "text/html", body: "<script>alert(1)</script>", expected: "text/html" },
      { name: "fake.png", type: "image/png", body: "<html><script>alert(1)</script></html>", expected: "application/octet-stream" },
    ];
    for (const { name, type, body, expected } of cases) {
      const uploaded = await upload(server, alice, room.id, new Blob([body], { type }), name);
      expect(uploaded.body.contentType).toBe(expected);
      const sent = await api(server, "POST", "/messages", { roomId: room.id, content: name, attachmentIds: [uploaded.body.id] }, alice.token);
      expect(sent.body.attachments[0]).toMatchObject({ width: null, height: null });
      const file = await fetchFile(server, alice, uploaded.body.url);
      expect(file.headers.get("content-type")).toBe(expected);
      expect(file.headers.get("content-disposition")).toStartWith("attachment;");
      expect(file.headers.get("x-content-type-options")).toBe("nosniff");
      expect(file.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox; frame-ancestors 'none'");
      expect(await file.text()).toBe(body);
      // ?thumb=1 of a file that is no image is the download itself.
      expect((await fetchFile(server, alice, `${uploaded.body.url}?thumb=1`)).headers.get("content-disposition")).toStartWith("attachment;");
    }
  });

  test("a name that is not ASCII is kept, and offered safely in Content-Disposition", async () => {
    const room = await createRoom(server, alice, "names");
    const uploaded = await upload(server, alice, room.id, new Blob(["x"], { type: "text/plain" }), "Ünïcode; name (1).txt");
    expect(uploaded.body.name).toBe("Ünïcode; name (1).txt");
    await api(server, "POST", "/messages", { roomId: room.id, content: "", attachmentIds: [uploaded.body.id] }, alice.token);
    const file = await fetchFile(server, alice, uploaded.body.url);
    expect(file.headers.get("content-disposition")).toBe(`attachment; filename="_n_code_ name (1).txt"; filename*=UTF-8''%C3%9Cn%C3%AFcode%3B%20name%20%281%29.txt`);
  });

  test("a file name that is a path is refused, and nothing is stored", async () => {
    const room = await createRoom(server, alice, "paths");
    const before = await attachmentCount(server);
    for (const name of ["../../etc/passwd", "folder/notes.txt", "C:\\Users\\me\\notes.txt", "..", "tab\there.txt"]) {
      expect(reply(await upload(server, alice, room.id, new Blob(["secret"]), name))).toEqual({ status: 400, body: error("invalid_file_name") });
    }
    expect(await attachmentCount(server)).toBe(before);
  });

  test("only members upload; files answer only those who may read the room; an unattached upload only its uploader", async () => {
    const secret = await createRoom(server, alice, "secret", true);
    await invite(server, secret, alice, bob);
    const lobby = await createRoom(server, alice, "lobby");
    const file = () => new Blob(["hello"], { type: "text/plain" });

    expect(reply(await upload(server, undefined, lobby.id, file(), "a.txt"))).toEqual({ status: 401, body: error("missing_token") });
    expect(reply(await upload(server, carol, secret.id, file(), "a.txt"))).toEqual({ status: 404, body: error("room_not_found") });
    expect(reply(await upload(server, carol, lobby.id, file(), "a.txt"))).toEqual({ status: 403, body: error("not_a_member") });

    const inSecret = (await upload(server, alice, secret.id, file(), "plan.txt")).body;
    const inLobby = (await upload(server, alice, lobby.id, file(), "notes.txt")).body;
    // Not attached yet: the uploader sees it, nobody else does.
    expect((await fetchFile(server, alice, inSecret.url)).status).toBe(200);
    expect((await fetchFile(server, bob, inSecret.url)).status).toBe(404);

    await api(server, "POST", "/messages", { roomId: secret.id, content: "plan", attachmentIds: [inSecret.id] }, alice.token);
    await api(server, "POST", "/messages", { roomId: lobby.id, content: "notes", attachmentIds: [inLobby.id] }, alice.token);
    expect((await fetchFile(server, bob, inSecret.url)).status).toBe(200);
    expect((await fetchFile(server, undefined, inSecret.url)).status).toBe(401);
    const outsider = await fetchFile(server, carol, inSecret.url);
    expect({ status: outsider.status, body: await outsider.json() }).toEqual({ status: 404, body: error("attachment_not_found") });
    // A public room's files answer anyone signed in, as its history does.
    expect((await fetchFile(server, carol, inLobby.url)).status).toBe(200);
  });

  test("attachmentIds must be the sender's own unattached uploads to that room, over REST and the socket; else nothing is stored", async () => {
    const room = await createRoom(server, alice, "rules");
    const other = await createRoom(server, alice, "elsewhere");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const up = async (who: Person, roomId: string) => (await upload(server, who, roomId, new Blob(["x"], { type: "text/plain" }), "x.txt")).body.id as string;
    const bobs = await up(bob, room.id);
    const otherRooms = await up(alice, other.id);
    const attached = await up(alice, room.id);
    expect((await api(server, "POST", "/messages", { roomId: room.id, content: "first", attachmentIds: [attached] }, alice.token)).status).toBe(201);
    const mine = await up(alice, room.id);

    const socket = await connect(server, alice.token);
    const messages = await messageCount(server);
    for (const ids of [[bobs], [otherRooms], [attached], [mine, attached], [crypto.randomUUID()]]) {
      const body = { roomId: room.id, content: "with files", attachmentIds: ids };
      expect(reply(await api(server, "POST", "/messages", body, alice.token))).toEqual({ status: 400, body: error("invalid_attachments") });
      expect(await socket.emitWithAck("sendMessage", body)).toEqual(error("invalid_attachments"));
    }
    expect(await messageCount(server)).toBe(messages);
    // The refused sends claimed nothing: alice's own upload is still hers to send.
    const sent = await socket.emitWithAck("sendMessage", { roomId: room.id, content: "", attachmentIds: [mine] });
    expect((sent as { attachments: { id: string }[] }).attachments.map((a) => a.id)).toEqual([mine]);
    // Empty content needs attachments, as before; repeated ids are refused by the schema.
    expect(reply(await api(server, "POST", "/messages", { roomId: room.id, content: "" }, alice.token))).toEqual({ status: 400, body: error("invalid_input") });
    expect((await api(server, "POST", "/messages", { roomId: room.id, content: "x", attachmentIds: [mine, mine] }, alice.token)).status).toBe(400);
  });

  test("attachments keep the order the sender gave, not the order they were uploaded in, live and in history", async () => {
    const room = await createRoom(server, alice, "order");
    const first = (await upload(server, alice, room.id, new Blob(["1"]), "first.txt")).body.id;
    const second = (await upload(server, alice, room.id, new Blob(["2"]), "second.txt")).body.id;
    const sent = await api(server, "POST", "/messages", { roomId: room.id, content: "", attachmentIds: [second, first] }, alice.token);
    expect(sent.body.attachments.map((a: { name: string }) => a.name)).toEqual(["second.txt", "first.txt"]);
    const history = await api(server, "GET", `/messages/${room.id}`, undefined, alice.token);
    expect(history.body.at(-1).attachments.map((a: { name: string }) => a.name)).toEqual(["second.txt", "first.txt"]);
  });

  test("a send refused because its room was archived leaves its upload free", async () => {
    const room = await createRoom(server, alice, "archived with a file");
    const id = (await upload(server, alice, room.id, new Blob(["kept"]), "kept.txt")).body.id;
    expect((await api(server, "DELETE", `/rooms/${room.id}`, undefined, alice.token)).status).toBe(200);
    const sent = await api(server, "POST", "/messages", { roomId: room.id, content: "late", attachmentIds: [id] }, alice.token);
    expect({ status: sent.status, code: sent.body.code }).toEqual({ status: 409, code: "room_archived" });
    expect([...(await server.sql`select message_id from attachments where id = ${id}`)]).toEqual([{ message_id: null }]);
  });

  test("two sends racing for one upload: one gets it, the other is refused", async () => {
    const room = await createRoom(server, alice, "race");
    const id = (await upload(server, alice, room.id, new Blob(["x"]), "x.bin")).body.id;
    const sends = await Promise.all([1, 2].map((n) => api(server, "POST", "/messages", { roomId: room.id, content: `take ${n}`, attachmentIds: [id] }, alice.token)));
    expect(sends.map((s) => s.status).sort()).toEqual([201, 400]);
    const history = (await api(server, "GET", `/messages/${room.id}`, undefined, alice.token)).body;
    expect(history.map((m: { attachments: unknown[] }) => m.attachments.length)).toEqual([1]);
  });

  test("a deleted message's files are gone for everyone", async () => {
    const room = await createRoom(server, alice, "deleting");
    const id = (await upload(server, alice, room.id, new Blob(["x"]), "x.bin")).body.id;
    const sent = await api(server, "POST", "/messages", { roomId: room.id, content: "oops", attachmentIds: [id] }, alice.token);
    const deleted = await api(server, "DELETE", `/messages/${sent.body.id}`, undefined, alice.token);
    expect(deleted.body.attachments).toEqual([]);
    expect((await fetchFile(server, alice, `/attachments/${id}`)).status).toBe(404);
  });

  test("a deleted message's files are swept from the storage", async () => {
    const room = await createRoom(server, alice, "deleted files");
    const id = (await upload(server, alice, room.id, new Blob(["secret"]), "secret.txt")).body.id;
    const sent = await api(server, "POST", "/messages", { roomId: room.id, content: "", attachmentIds: [id] }, alice.token);
    const [stored] = await server.sql<{ storage_key: string }[]>`select storage_key from attachments where id = ${id}`;
    const storage = openStorage(server.config.uploads.storage);
    expect(await storage.get(stored!.storage_key)).not.toBeNull();
    await api(server, "DELETE", `/messages/${sent.body.id}`, undefined, alice.token);

    await sweepUploads({ sql: server.sql, storage });
    expect(await storage.get(stored!.storage_key)).toBeNull();
    expect(await server.sql`select id from attachments where id = ${id}`).toHaveLength(0);
  });

  test("uploads never attached are swept after a day, files and all; attached ones stay", async () => {
    const room = await createRoom(server, alice, "sweep");
    const stale = (await upload(server, alice, room.id, new Blob(["old"]), "old.txt")).body;
    const fresh = (await upload(server, alice, room.id, new Blob(["new"]), "new.txt")).body;
    const kept = (await upload(server, alice, room.id, new Blob(["kept"]), "kept.txt")).body;
    await api(server, "POST", "/messages", { roomId: room.id, content: "kept", attachmentIds: [kept.id] }, alice.token);
    await server.sql`update attachments set created_at = now() - interval '25 hours' where id in (${stale.id}, ${kept.id})`;
    const [stored] = await server.sql<{ storage_key: string }[]>`select storage_key from attachments where id = ${stale.id}`;

    expect(await sweepUploads({ sql: server.sql, storage: openStorage(server.config.uploads.storage) })).toBe(1);
    expect((await fetchFile(server, alice, stale.url)).status).toBe(404);
    expect(await openStorage(server.config.uploads.storage).get(stored!.storage_key)).toBeNull();
    expect((await fetchFile(server, alice, fresh.url)).status).toBe(200);
    expect((await fetchFile(server, alice, kept.url)).status).toBe(200);
  });
});

describe("too large", () => {
  const maxBytes = 64 * 1024;
  let server: TestServer;
  let alice: Person;
  let roomId: string;
  beforeAll(async () => {
    server = await startServer({ uploads: { maxBytes, storage: { kind: "disk", dir: `/tmp/chatloop-uploads-${crypto.randomUUID()}` } } });
    [alice] = await people(server, "alice");
    roomId = (await createRoom(server, alice, "big")).id;
  });
  afterAll(() => stopServer(server));

  test("a declared Content-Length over the limit is answered 413 before the body is sent", async () => {
    // Headers only: the server must answer without waiting for a byte of the body.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = tcpConnect(Number(new URL(server.base).port), "127.0.0.1", () => {
        socket.write(
          `POST /rooms/${roomId}/uploads HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${alice.token}\r\n` +
            `content-type: multipart/form-data; boundary=x\r\ncontent-length: ${10 * maxBytes}\r\n\r\n`,
        );
      });
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString("latin1");
        if (text.includes("\r\n\r\n")) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on("error", reject);
    });
    expect(answer).toStartWith("HTTP/1.1 413");
  });

  test("a chunked body is cut off once it passes the limit, without waiting for its end", async () => {
    const chunk = new Uint8Array(16 * 1024);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Never closes: a server that read to the end would never answer.
        if (sent <= maxBytes * 2) {
          sent += chunk.length;
          controller.enqueue(chunk);
        }
      },
    });
    const response = await fetch(`${server.base}/rooms/${roomId}/uploads`, {
      method: "POST",
      body: endless,
      headers: { authorization: `Bearer ${alice.token}`, "content-type": "multipart/form-data; boundary=x" },
    });
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(maxBytes * 2 + chunk.length * 2);
  });

  test("a file over the limit inside a form that fits is refused 413, and nothing is stored", async () => {
    expect(reply(await upload(server, alice, roomId, new Blob([new Uint8Array(maxBytes + 1)]), "big.bin"))).toEqual({ status: 413, body: error("file_too_large") });
    expect(await attachmentCount(server)).toBe(0);
    expect((await upload(server, alice, roomId, new Blob([new Uint8Array(maxBytes)]), "fits.bin")).status).toBe(201);
  });

  test("other routes keep MAX_BODY_BYTES", async () => {
    const sent = await api(server, "POST", "/messages", { roomId, content: "x".repeat(128 * 1024) }, alice.token);
    expect(reply(sent)).toEqual({ status: 413, body: error("body_too_large") });
  });
});

describe.skipIf(!databaseUrl || !redisUrl)("two instances", () => {
  test("an upload on instance A is served by instance B, when both store in S3", async () => {
    const uploads: UploadsConfig = { maxBytes: 10 * 1024 * 1024, storage: s3.storage };
    const a = await startServer({ uploads });
    const b = await startPeer(a);
    try {
      const [alice] = await people(a, "alice");
      const room = await createRoom(a, alice, "shared");
      const bytes = await png(500, 100);
      const uploaded = (await upload(a, alice, room.id, new Blob([bytes]), "wide.png")).body;
      expect((await api(b, "POST", "/messages", { roomId: room.id, content: "", attachmentIds: [uploaded.id] }, alice.token)).status).toBe(201);
      const file = await fetchFile(b, alice, uploaded.url);
      expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
      const thumb = await sharp(Buffer.from(await (await fetchFile(b, alice, `${uploaded.url}?thumb=1`)).arrayBuffer())).metadata();
      expect(thumb.width).toBe(400);
    } finally {
      await stopServer(b);
      await stopServer(a);
    }
  });
});
