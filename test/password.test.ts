// Changing a password ends every session of the account, on REST and on live sockets, on
// every instance; the caller carries on with a new token.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { api, closeSockets, connect, databaseUrl, type Person, people, redisUrl, signUp, snapshot, startPeer, startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;
let alice: Person, bob: Person;

beforeAll(async () => {
  server = await startServer();
  [alice, bob] = await people(server, "alice", "bob");
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

const login = async (person: Person, password = person.password) => (await api(server, "POST", "/auth/login", { username: person.username, password })).body.token as string;
const disconnected = (socket: Awaited<ReturnType<typeof connect>>) => new Promise((resolve) => socket.once("disconnect", resolve));

test("changing the password ends every session of the account, sockets included, and the new token works", async () => {
  const carol = await signUp(server, "carol");
  const laptop = await login(carol);
  const [phoneSocket, laptopSocket] = [await connect(server, carol.token), await connect(server, laptop)];
  const bobSocket = await connect(server, bob.token);
  const gone = Promise.all([disconnected(phoneSocket), disconnected(laptopSocket)]);

  const changed = await api(server, "POST", "/auth/password", { currentPassword: carol.password, newPassword: "a brand new secret" }, carol.token);
  expect(changed.status).toBe(200);
  expect(changed.body).toEqual({ token: expect.any(String) });
  await gone;

  for (const token of [carol.token, laptop]) expect((await api(server, "GET", "/rooms", undefined, token)).status).toBe(401);
  expect((await api(server, "GET", "/rooms", undefined, changed.body.token)).status).toBe(200);
  expect(bobSocket.connected).toBe(true);
  expect((await api(server, "POST", "/auth/login", { username: "carol", password: carol.password })).status).toBe(401);
  expect((await api(server, "POST", "/auth/login", { username: "carol", password: "a brand new secret" })).status).toBe(200);
});

test("a wrong current password is refused with 403 and changes nothing", async () => {
  const before = await snapshot(server);
  const refused = await api(server, "POST", "/auth/password", { currentPassword: "not my password", newPassword: "a brand new secret" }, alice.token);
  expect(refused).toMatchObject({ status: 403, body: { code: "wrong_password" } });
  expect(await snapshot(server)).toEqual(before);
  expect((await api(server, "GET", "/rooms", undefined, alice.token)).status).toBe(200);
});

test("a new password that breaks the policy is refused with 400 and changes nothing", async () => {
  const before = await snapshot(server);
  const refused = await api(server, "POST", "/auth/password", { currentPassword: alice.password, newPassword: "short" }, alice.token);
  expect(refused).toMatchObject({ status: 400, body: { code: "invalid_input" } });
  expect(await snapshot(server)).toEqual(before);
});

describe.skipIf(!databaseUrl || !redisUrl)("with several instances", () => {
  test("the account's sockets on other instances are disconnected too", async () => {
    const peer = await startPeer(server);
    try {
      const dave = await signUp(server, "dave");
      const elsewhere = await connect(peer, await login(dave));
      const gone = disconnected(elsewhere);
      expect((await api(server, "POST", "/auth/password", { currentPassword: dave.password, newPassword: "a brand new secret" }, dave.token)).status).toBe(200);
      await gone;
    } finally {
      await stopServer(peer);
    }
  });
});
