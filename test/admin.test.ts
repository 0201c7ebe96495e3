// Governing a server, seen from outside: site admins list accounts, deactivate and reactivate
// them (which signs them out at once, everywhere), name other admins but never leave none, and
// hand out one-time reset links; who may sign up (REGISTRATION=link and its join link); and
// your own account: who you are, and deleting it.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../src/config";
import { generateVapidKeys } from "../src/push/keys";
import {
  api,
  type ChatSocket,
  closeSockets,
  connect,
  createRoom,
  databaseUrl,
  error,
  ISO,
  next,
  type Person,
  people,
  redisUrl,
  reply,
  signUp,
  snapshot,
  startPeer,
  startServer,
  stopServer,
  type TestServer,
} from "./harness";

let server: TestServer;
let root: Person, alice: Person, bob: Person, mallory: Person;

beforeAll(async () => {
  server = await startServer();
  root = await signUp(server, "root"); // the first account: the site admin
  [alice, bob, mallory] = await people(server, "alice", "bob", "mallory");
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

const PASSWORD = "correct horse battery";

/** A fresh person, so that a test that signs someone out or deletes them leaves the others be. */
let made = 0;
const newcomer = (name = "newcomer") => signUp(server, `${name}${++made}`);

const login = (target: TestServer, username: string, password = PASSWORD) => api(target, "POST", "/auth/login", { username, password });

/** The reason a socket disconnects, listened for from now on. */
const disconnected = (socket: ChatSocket) => new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));

/** Runs a request that must be refused, and proves that it changed no table. */
async function unchanged<T>(action: () => Promise<T>): Promise<T> {
  const before = await snapshot(server);
  const result = await action();
  expect(await snapshot(server)).toEqual(before);
  return result;
}

const account = (person: Person, extra: Partial<{ isAdmin: boolean; deactivated: boolean }> = {}) => ({
  id: person.id,
  username: person.username,
  createdAt: expect.stringMatching(ISO),
  isAdmin: false,
  avatarUrl: `/users/${person.id}/avatar`,
  deactivated: false,
  ...extra,
});

// ---- who is an admin --------------------------------------------------------------------------

describe("admins and permissions", () => {
  test("GET /me answers your own user, isAdmin included: the first account is the admin", async () => {
    expect(reply(await api(server, "GET", "/me", undefined, root.token))).toEqual({
      status: 200,
      body: { id: root.id, username: "root", createdAt: expect.stringMatching(ISO), isAdmin: true, avatarUrl: `/users/${root.id}/avatar` },
    });
    expect((await api(server, "GET", "/me", undefined, alice.token)).body).toEqual({
      id: alice.id,
      username: "alice",
      createdAt: expect.stringMatching(ISO),
      isAdmin: false,
      avatarUrl: `/users/${alice.id}/avatar`,
    });
    expect(reply(await api(server, "GET", "/me"))).toEqual({ status: 401, body: error("missing_token") });
  });

  test("anyone but an admin gets 403 not_admin on every /admin endpoint, even with a body that is wrong, and nothing changes", async () => {
    const calls: [string, string, unknown?][] = [
      ["GET", "/admin/users"],
      ["GET", `/admin/users/${bob.id}`],
      ["POST", `/admin/users/${bob.id}/deactivate`],
      ["POST", `/admin/users/${bob.id}/reactivate`],
      ["PUT", `/admin/users/${alice.id}/admin`, { isAdmin: true }],
      ["PUT", `/admin/users/${alice.id}/admin`, { isAdmin: "yes please" }],
      ["POST", `/admin/users/${bob.id}/reset-link`],
      ["GET", "/admin/join-link"],
      ["POST", "/admin/join-link"],
    ];
    for (const [method, path, body] of calls) {
      expect(reply(await unchanged(() => api(server, method, path, body, alice.token)))).toEqual({ status: 403, body: error("not_admin") });
      expect(reply(await api(server, method, path, body))).toEqual({ status: 401, body: error("missing_token") });
    }
    const [row] = await server.sql<{ resets: number }[]>`select count(*)::int as resets from reset_tokens`;
    expect(row?.resets).toBe(0);
  });

  test("GET /admin/users lists accounts by username with isAdmin and deactivated, finds by part of the name, and pages with a Link", async () => {
    const all = await api(server, "GET", "/admin/users?limit=100", undefined, root.token);
    expect(all.status).toBe(200);
    const names = all.body.map((a: { username: string }) => a.username);
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(all.body).toContainEqual(account(root, { isAdmin: true }));
    expect(all.body).toContainEqual(account(alice));
    expect(all.headers.get("link")).toBeNull();

    const found = await api(server, "GET", "/admin/users?query=LIC", undefined, root.token);
    expect(found.body).toEqual([account(alice)]);

    const first = await api(server, "GET", "/admin/users?limit=2", undefined, root.token);
    expect(first.body.map((a: { username: string }) => a.username)).toEqual(names.slice(0, 2));
    const link = first.headers.get("link")!;
    expect(link).toMatch(/rel="next"$/);
    const second = await api(server, "GET", link.match(/^<([^>]+)>/)![1]!, undefined, root.token);
    expect(second.body.map((a: { username: string }) => a.username)).toEqual(names.slice(2, 4));

    for (const query of ["limit=0", "limit=101", "after=", `query=${"x".repeat(101)}`]) {
      expect(reply(await api(server, "GET", `/admin/users?${query}`, undefined, root.token))).toEqual({ status: 400, body: error("invalid_input") });
    }
    expect(reply(await api(server, "GET", `/admin/users/${crypto.randomUUID()}`, undefined, root.token))).toEqual({ status: 404, body: error("user_not_found") });
  });
});

// ---- deactivation -----------------------------------------------------------------------------

describe("deactivation", () => {
  test("deactivating signs the person out at once (REST and sockets); they cannot sign in (403 account_deactivated) and are not found for DMs or invites; reactivating lets them in again", async () => {
    const carol = await newcomer("carol");
    const second = (await login(server, carol.username)).body.token;
    const sockets = await Promise.all([connect(server, carol.token), connect(server, second, ["polling"])]);
    const gone = sockets.map(disconnected);
    const stillThere = await connect(server, alice.token);
    let aliceLost = false;
    stillThere.on("disconnect", () => (aliceLost = true));

    const deactivated = await api(server, "POST", `/admin/users/${carol.id}/deactivate`, undefined, root.token);
    expect(reply(deactivated)).toEqual({ status: 200, body: account(carol, { deactivated: true }) });
    expect(await Promise.all(gone)).toEqual(["io server disconnect", "io server disconnect"]);
    for (const token of [carol.token, second]) expect(reply(await api(server, "GET", "/rooms", undefined, token))).toEqual({ status: 401, body: error("invalid_token") });
    await expect(connect(server, carol.token)).rejects.toThrow();
    expect(reply(await login(server, carol.username))).toEqual({ status: 403, body: error("account_deactivated") });
    expect(reply(await login(server, carol.username, "not the password"))).toEqual({ status: 401, body: error("invalid_credentials") });
    expect((await api(server, "GET", `/users?query=${carol.username}`, undefined, alice.token)).body).toEqual([]);
    expect(reply(await api(server, "POST", "/dms", { username: carol.username }, alice.token))).toEqual({ status: 404, body: error("user_not_found") });
    const room = await createRoom(server, alice, "carol's surprise", true);
    expect(reply(await api(server, "POST", `/rooms/${room.id}/invites`, { username: carol.username }, alice.token))).toEqual({ status: 404, body: error("user_not_found") });
    expect((await api(server, "GET", `/admin/users?query=${carol.username}`, undefined, root.token)).body).toEqual([account(carol, { deactivated: true })]);
    expect(reply(await api(server, "POST", `/admin/users/${carol.id}/deactivate`, undefined, root.token))).toEqual(reply(deactivated));
    expect(aliceLost).toBe(false);
    expect(stillThere.connected).toBe(true);

    expect(reply(await api(server, "POST", `/admin/users/${carol.id}/reactivate`, undefined, root.token))).toEqual({ status: 200, body: account(carol) });
    expect(reply(await api(server, "GET", "/rooms", undefined, carol.token))).toEqual({ status: 401, body: error("invalid_token") });
    const again = await login(server, carol.username);
    expect(again.status).toBe(200);
    expect((await api(server, "GET", "/me", undefined, again.body.token)).body.id).toBe(carol.id);
    expect((await api(server, "GET", `/users?query=${carol.username}`, undefined, alice.token)).body).toEqual([
      { id: carol.id, username: carol.username, avatarUrl: `/users/${carol.id}/avatar` },
    ]);
  });

  test("an admin cannot deactivate their own account (409 own_account); an unknown account is 404; an id that is no id, 400", async () => {
    expect(reply(await unchanged(() => api(server, "POST", `/admin/users/${root.id}/deactivate`, undefined, root.token)))).toEqual({ status: 409, body: error("own_account") });
    expect(reply(await api(server, "POST", `/admin/users/${crypto.randomUUID()}/deactivate`, undefined, root.token))).toEqual({ status: 404, body: error("user_not_found") });
    expect(reply(await api(server, "POST", "/admin/users/nobody/deactivate", undefined, root.token))).toEqual({ status: 400, body: error("invalid_input") });
  });
});

// ---- who is an admin: never nobody ------------------------------------------------------------

describe("naming admins", () => {
  test("an admin makes someone an admin and takes it back; the last admin cannot be removed or deactivated, by anyone", async () => {
    const dave = await newcomer("dave");
    expect(reply(await api(server, "PUT", `/admin/users/${root.id}/admin`, { isAdmin: false }, root.token))).toEqual({ status: 409, body: error("last_admin") });

    expect(reply(await api(server, "PUT", `/admin/users/${dave.id}/admin`, { isAdmin: true }, root.token))).toEqual({ status: 200, body: account(dave, { isAdmin: true }) });
    expect((await api(server, "GET", "/admin/join-link", undefined, dave.token)).status).toBe(200); // at once: no new sign-in needed
    // With two admins, one may step down; then the other is the last.
    expect(reply(await api(server, "PUT", `/admin/users/${dave.id}/admin`, { isAdmin: false }, dave.token))).toEqual({ status: 200, body: account(dave) });
    expect(reply(await api(server, "GET", "/admin/users", undefined, dave.token))).toEqual({ status: 403, body: error("not_admin") });

    // A deactivated admin is no admin who can sign in: the last one who can may not go.
    await api(server, "PUT", `/admin/users/${dave.id}/admin`, { isAdmin: true }, root.token);
    await api(server, "POST", `/admin/users/${dave.id}/deactivate`, undefined, root.token);
    expect(reply(await api(server, "PUT", `/admin/users/${root.id}/admin`, { isAdmin: false }, root.token))).toEqual({ status: 409, body: error("last_admin") });
    await api(server, "POST", `/admin/users/${dave.id}/reactivate`, undefined, root.token);
    const daveAgain = (await login(server, dave.username)).body.token;
    expect(reply(await api(server, "POST", `/admin/users/${dave.id}/deactivate`, undefined, root.token))).toEqual({
      status: 200,
      body: account(dave, { isAdmin: true, deactivated: true }),
    });
    expect(reply(await api(server, "GET", "/admin/users", undefined, daveAgain))).toEqual({ status: 401, body: error("invalid_token") });
    await api(server, "PUT", `/admin/users/${dave.id}/admin`, { isAdmin: false }, root.token);
  });

  test("two admins removing each other at the same moment leave one admin", async () => {
    const [erin, frank] = await Promise.all([newcomer("erin"), newcomer("frank")]);
    for (const person of [erin, frank]) await api(server, "PUT", `/admin/users/${person.id}/admin`, { isAdmin: true }, root.token);
    await api(server, "PUT", `/admin/users/${root.id}/admin`, { isAdmin: false }, root.token);

    const answers = await Promise.all([
      api(server, "PUT", `/admin/users/${frank.id}/admin`, { isAdmin: false }, erin.token),
      api(server, "PUT", `/admin/users/${erin.id}/admin`, { isAdmin: false }, frank.token),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 403]);
    const [row] = await server.sql<{ admins: number }[]>`select count(*)::int as admins from users where is_admin`;
    expect(row?.admins).toBe(1);
    const remaining = answers[0]!.status === 200 ? erin : frank;
    await api(server, "PUT", `/admin/users/${root.id}/admin`, { isAdmin: true }, remaining.token);
    await api(server, "PUT", `/admin/users/${remaining.id}/admin`, { isAdmin: false }, root.token);
  });

  test("a body that is no { isAdmin: boolean } is 400 and changes nothing", async () => {
    for (const body of [{}, { isAdmin: "true" }, { isAdmin: null }]) {
      expect(reply(await unchanged(() => api(server, "PUT", `/admin/users/${alice.id}/admin`, body, root.token)))).toEqual({ status: 400, body: error("invalid_input") });
    }
  });
});

// ---- reset links ------------------------------------------------------------------------------

describe("reset links", () => {
  const resetLink = async (person: Person) => {
    const made = await api(server, "POST", `/admin/users/${person.id}/reset-link`, undefined, root.token);
    expect(made.status).toBe(200);
    return made.body as { url: string; expiresAt: string };
  };
  const tokenOf = (url: string) => url.split("/").at(-1)!;

  test("a reset link works once, for 24 hours: the new password works, the old one and every session do not", async () => {
    const gina = await newcomer("gina");
    const socket = await connect(server, gina.token);
    const gone = disconnected(socket);
    const before = Date.now();
    const link = await resetLink(gina);
    expect(link.url).toMatch(new RegExp(`^${server.base}/reset/[A-Za-z0-9_-]{43}$`));
    expect(Date.parse(link.expiresAt) - before).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000);
    // Only its hash is stored.
    const [stored] = await server.sql<{ token_hash: string }[]>`select token_hash from reset_tokens where user_id = ${gina.id}`;
    expect(stored!.token_hash).not.toContain(tokenOf(link.url));

    expect(reply(await api(server, "POST", "/auth/reset", { token: tokenOf(link.url), newPassword: "a new password" }))).toEqual({ status: 204, body: undefined });
    expect(await gone).toBe("io server disconnect");
    expect(reply(await api(server, "GET", "/rooms", undefined, gina.token))).toEqual({ status: 401, body: error("invalid_token") });
    expect((await login(server, gina.username)).status).toBe(401);
    expect((await login(server, gina.username, "a new password")).status).toBe(200);

    expect(reply(await unchanged(() => api(server, "POST", "/auth/reset", { token: tokenOf(link.url), newPassword: "yet another one" })))).toEqual({
      status: 400,
      body: error("reset_link_used"),
    });
    expect((await login(server, gina.username, "a new password")).status).toBe(200);
  });

  test("an expired link, an unknown one and one replaced by a newer link are refused; the password stays", async () => {
    const hank = await newcomer("hank");
    const expired = await resetLink(hank);
    await server.sql`update reset_tokens set expires_at = now() - interval '1 second' where user_id = ${hank.id}`;
    expect(reply(await api(server, "POST", "/auth/reset", { token: tokenOf(expired.url), newPassword: "a new password" }))).toEqual({
      status: 400,
      body: error("reset_link_expired"),
    });

    const older = await resetLink(hank);
    const newer = await resetLink(hank);
    expect(reply(await api(server, "POST", "/auth/reset", { token: tokenOf(older.url), newPassword: "a new password" }))).toEqual({
      status: 400,
      body: error("reset_link_unknown"),
    });
    expect(reply(await api(server, "POST", "/auth/reset", { token: "x".repeat(43), newPassword: "a new password" }))).toEqual({ status: 400, body: error("reset_link_unknown") });
    expect(reply(await api(server, "POST", "/auth/reset", { token: tokenOf(newer.url), newPassword: "short" }))).toEqual({ status: 400, body: error("invalid_input") });
    expect(reply(await api(server, "POST", "/auth/reset", { newPassword: "a new password" }))).toEqual({ status: 400, body: error("invalid_input") });
    expect((await login(server, hank.username)).status).toBe(200);
    expect((await api(server, "POST", "/auth/reset", { token: tokenOf(newer.url), newPassword: "a new password" })).status).toBe(204);
  });

  test("of two uses of one link at the same moment, one sets the password", async () => {
    const ivy = await newcomer("ivy");
    const link = await resetLink(ivy);
    const answers = await Promise.all(["first password", "second password"].map((newPassword) => api(server, "POST", "/auth/reset", { token: tokenOf(link.url), newPassword })));
    expect(answers.map((a) => a.status).sort()).toEqual([204, 400]);
    const winner = answers[0]!.status === 204 ? "first password" : "second password";
    expect((await login(server, ivy.username, winner)).status).toBe(200);
  });

  test("links point at PUBLIC_URL when it is set", async () => {
    const behindProxy = await startServer({ publicUrl: "https://chat.example.com" });
    try {
      const admin = await signUp(behindProxy, "admin");
      const other = await signUp(behindProxy, "other");
      expect((await api(behindProxy, "POST", `/admin/users/${other.id}/reset-link`, undefined, admin.token)).body.url).toMatch(/^https:\/\/chat\.example\.com\/reset\/[\w-]{43}$/);
      const join = await api(behindProxy, "GET", "/admin/join-link", undefined, admin.token);
      expect(join.body).toEqual({ url: `https://chat.example.com/join/${join.body.code}`, code: expect.stringMatching(/^[\w-]{22}$/) });
    } finally {
      await stopServer(behindProxy);
    }
  });
});

// ---- who may sign up --------------------------------------------------------------------------

describe("REGISTRATION=link", () => {
  let closed: TestServer;
  beforeAll(async () => {
    closed = await startServer({ registration: "link" });
  });
  afterAll(() => stopServer(closed));
  const register = (username: string, joinCode?: string) =>
    api(closed, "POST", "/auth/register", { username, password: PASSWORD, ...(joinCode === undefined ? {} : { joinCode }) });

  test("the first account needs no code (else the server could never have an admin); later ones need the current join code", async () => {
    const first = await register("owner");
    expect(first.status).toBe(201);
    expect(first.body.isAdmin).toBe(true);
    const admin = (await login(closed, "owner")).body.token;

    expect(reply(await register("walkin"))).toEqual({ status: 403, body: error("registration_closed") });
    expect(reply(await register("guesser", "not-the-code"))).toEqual({ status: 403, body: error("registration_closed") });
    const link = await api(closed, "GET", "/admin/join-link", undefined, admin);
    expect(reply(link)).toEqual({ status: 200, body: { url: `${closed.base}/join/${link.body.code}`, code: expect.stringMatching(/^[\w-]{22}$/) } });
    expect((await api(closed, "GET", "/admin/join-link", undefined, admin)).body).toEqual(link.body);
    expect((await register("invited", link.body.code)).status).toBe(201);

    const replaced = await api(closed, "POST", "/admin/join-link", undefined, admin);
    expect(replaced.status).toBe(200);
    expect(replaced.body.code).not.toBe(link.body.code);
    expect(reply(await register("late", link.body.code))).toEqual({ status: 403, body: error("registration_closed") });
    expect((await register("late", replaced.body.code)).status).toBe(201);
    expect((await closed.sql`select username from users order by created_at`).map((u) => u.username)).toEqual(["owner", "invited", "late"]);
  });

  test("with REGISTRATION=open a join code is not needed, and one given is no matter", async () => {
    expect((await api(server, "POST", "/auth/register", { username: "drifter", password: PASSWORD })).status).toBe(201);
    expect((await api(server, "POST", "/auth/register", { username: "drifter2", password: PASSWORD, joinCode: "whatever" })).status).toBe(201);
    expect(reply(await api(server, "POST", "/auth/register", { username: "drifter3", password: PASSWORD, joinCode: "" }))).toEqual({ status: 400, body: error("invalid_input") });
  });

  test("REGISTRATION defaults to link in production and to open elsewhere; anything else stops the start", () => {
    // Secrets given, so that nothing is generated into a data folder.
    const laptop = { JWT_SECRET: "x".repeat(32), ...generatedVapidKeys };
    const production = { ...laptop, NODE_ENV: "production", VAPID_SUBJECT: "mailto:admin@example.com" };
    expect(loadConfig(production).registration).toBe("link");
    expect(loadConfig({ ...production, REGISTRATION: "open" }).registration).toBe("open");
    expect(loadConfig(laptop).registration).toBe("open");
    expect(() => loadConfig({ ...laptop, REGISTRATION: "invite" })).toThrow(/REGISTRATION must be one of open, link/);
    expect(loadConfig({ ...laptop, PUBLIC_URL: "https://chat.example.com/" }).publicUrl).toBe("https://chat.example.com");
    for (const bad of ["chat.example.com", "ftp://chat.example.com", "https://chat.example.com/chat", "https://user:pw@chat.example.com"]) {
      expect(() => loadConfig({ ...laptop, PUBLIC_URL: bad })).toThrow(/PUBLIC_URL must be an http\(s\) origin/);
    }
  });
});

const vapid = generateVapidKeys();
const generatedVapidKeys = { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey };

// ---- your own account -------------------------------------------------------------------------

describe("deleting your account", () => {
  test("with your password: every session and socket ends, you leave your rooms (ownership passes on), your messages stay from 'deleted user', and your name stays taken", async () => {
    const jules = await newcomer("jules");
    const room = await createRoom(server, jules, "jules's corner");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, alice.token);
    const sent = await api(server, "POST", "/messages", { roomId: room.id, content: "so long" }, jules.token);
    const answer = await api(server, "POST", "/messages", { roomId: room.id, content: "bye!", replyToId: sent.body.id }, alice.token);
    const dm = await api(server, "POST", "/dms", { username: jules.username }, alice.token);
    const socket = await connect(server, jules.token);
    const gone = disconnected(socket);

    expect(reply(await unchanged(() => api(server, "DELETE", "/me", { password: "not my password" }, jules.token)))).toEqual({ status: 403, body: error("wrong_password") });
    expect(reply(await api(server, "DELETE", "/me", { password: PASSWORD }, jules.token))).toEqual({ status: 204, body: undefined });
    expect(await gone).toBe("io server disconnect");
    expect(reply(await api(server, "GET", "/me", undefined, jules.token))).toEqual({ status: 401, body: error("invalid_token") });
    expect(reply(await login(server, jules.username))).toEqual({ status: 401, body: error("invalid_credentials") });
    expect(reply(await api(server, "POST", "/auth/register", { username: jules.username.toUpperCase(), password: PASSWORD }))).toEqual({
      status: 409,
      body: error("username_taken"),
    });

    const history = (await api(server, "GET", `/messages/${room.id}`, undefined, alice.token)).body;
    expect(history.map((m: { senderId: string; username: string; content: string }) => [m.senderId, m.username, m.content])).toEqual([
      [jules.id, "deleted user", "so long"],
      [alice.id, "alice", "bye!"],
    ]);
    expect(history[1].replyTo).toMatchObject({ id: sent.body.id, senderId: jules.id, username: "deleted user" });
    expect(answer.status).toBe(201);
    expect((await api(server, "GET", `/rooms/${room.id}`, undefined, alice.token)).body.ownerId).toBe(alice.id);
    expect((await api(server, "GET", `/rooms/${room.id}/members`, undefined, alice.token)).body.map((m: { userId: string }) => m.userId)).toEqual([alice.id]);
    expect((await api(server, "GET", `/rooms/${dm.body.id}`, undefined, alice.token)).body.name).toBe("deleted user");
    expect((await api(server, "GET", `/users?query=${jules.username}`, undefined, alice.token)).body).toEqual([]);
    expect((await api(server, "GET", `/admin/users?query=${jules.username}`, undefined, root.token)).body).toEqual([]);
    expect(reply(await api(server, "POST", `/admin/users/${jules.id}/reset-link`, undefined, root.token))).toEqual({ status: 404, body: error("user_not_found") });
    const [row] = await server.sql`select password_hash, is_admin from users where id = ${jules.id}`;
    expect(row).toEqual({ password_hash: "", is_admin: false });
  });

  test("the last admin cannot delete their account (409 last_admin); a body without the password is 400", async () => {
    expect(reply(await unchanged(() => api(server, "DELETE", "/me", { password: PASSWORD }, root.token)))).toEqual({ status: 409, body: error("last_admin") });
    expect(reply(await api(server, "DELETE", "/me", {}, root.token))).toEqual({ status: 400, body: error("invalid_input") });
    expect(reply(await api(server, "DELETE", "/me", { password: PASSWORD }))).toEqual({ status: 401, body: error("missing_token") });
  });
});

// ---- messages ---------------------------------------------------------------------------------

describe("admins and messages", () => {
  test("an admin may delete anyone's message in a room they do not own; the room hears it; a member who is not may not", async () => {
    const room = await createRoom(server, alice, "alice's place");
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, mallory.token);
    await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
    const spam = (await api(server, "POST", "/messages", { roomId: room.id, content: "buy now" }, mallory.token)).body;
    const listener = await connect(server, alice.token);
    await listener.emitWithAck("joinRoom", { roomId: room.id });
    const heard = next(listener, "messageUpdated");

    expect(reply(await api(server, "DELETE", `/messages/${spam.id}`, undefined, bob.token))).toEqual({ status: 403, body: error("forbidden") });
    const deleted = await api(server, "DELETE", `/messages/${spam.id}`, undefined, root.token);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: spam.id, senderId: mallory.id, content: "", deletedAt: expect.any(String), rev: spam.rev + 1 });
    expect(await heard).toEqual(deleted.body);
  });

  test("a private room stays the lock, even to an admin: its messages are not found", async () => {
    const room = await createRoom(server, alice, "alice's diary", true);
    const secret = (await api(server, "POST", "/messages", { roomId: room.id, content: "dear diary" }, alice.token)).body;
    expect(reply(await api(server, "DELETE", `/messages/${secret.id}`, undefined, root.token))).toEqual({ status: 404, body: error("message_not_found") });
  });
});

// ---- two instances ----------------------------------------------------------------------------

describe.skipIf(!databaseUrl || !redisUrl)("on two instances", () => {
  let peer: TestServer;
  beforeAll(async () => {
    peer = await startPeer(server);
  });
  afterAll(() => stopServer(peer));

  test("deactivating through one instance disconnects the person's socket on the other at once, and the other refuses their token", async () => {
    const kim = await newcomer("kim");
    const onPeer = await connect(peer, kim.token);
    expect(onPeer.id).toMatch(/./);
    const gone = disconnected(onPeer);
    expect((await api(server, "POST", `/admin/users/${kim.id}/deactivate`, undefined, root.token)).status).toBe(200);
    expect(await gone).toBe("io server disconnect");
    expect(reply(await api(peer, "GET", "/rooms", undefined, kim.token))).toEqual({ status: 401, body: error("invalid_token") });
    expect(reply(await login(peer, kim.username))).toEqual({ status: 403, body: error("account_deactivated") });
  });
});
