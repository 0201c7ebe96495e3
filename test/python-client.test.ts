// "Any Socket.IO v4 client" as a tested promise: the client most people outside JavaScript use,
// python-socketio as Debian ships it (`apt-get install python3-socketio`; .ci/run installs it),
// with stock settings, over WebSocket and over long-polling (test/clients/python_client.py).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createRoom, type Person, people, startServer, stopServer, type TestServer } from "./harness";

/** Debian's Python: the one that sees Debian's python3-socketio. */
const PYTHON = "/usr/bin/python3";
const SCRIPT = join(import.meta.dir, "clients", "python_client.py");

let server: TestServer;
let alice: Person, bob: Person;

beforeAll(async () => {
  const found = existsSync(PYTHON) && Bun.spawnSync([PYTHON, "-c", "import socketio"]).exitCode === 0;
  if (!found) throw new Error(`python3-socketio not found for ${PYTHON}: install it (apt-get install -y python3-socketio)`);
  server = await startServer();
  [alice, bob] = await people(server, "alice", "bob");
});
afterAll(() => stopServer(server));

describe.each(["websocket", "polling"])("python-socketio over %s", (transport) => {
  test("joins, sends a burst, catches up exactly after a drop 100 messages behind, and hears every error", async () => {
    const room = await createRoom(server, alice, `python over ${transport}`);
    const run = Bun.spawn([PYTHON, SCRIPT, server.base, alice.token, bob.token, room.id, transport], { stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
    if (code !== 0) throw new Error(`python client failed (${code}):\n${err}`);
    const seen = JSON.parse(out);
    const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect(seen.aliceJoined).toEqual({ roomId: room.id, userId: alice.id });
    expect(seen.bobJoined).toEqual({ roomId: room.id, userId: bob.id });
    expect([seen.burstAcked, seen.burstHeard, seen.ackSeqs]).toEqual([true, true, upTo(50)]);
    expect([seen.rejoined, seen.caughtUp]).toEqual([{ roomId: room.id, userId: bob.id }, true]);
    expect(seen.bobDuplicates).toBe(0);
    expect(seen.bobSeqs.slice(0, 150)).toEqual(upTo(150));
    expect(seen.emptyMessage).toEqual({ code: "empty_message", message: expect.any(String) });
    expect(seen.badPayload).toEqual({ code: "invalid_input", message: expect.any(String) });
    expect(seen.unknownRoom).toEqual({ code: "room_not_found", message: expect.any(String) });
    expect(seen.stillWorks).toBe(151);
    expect(seen.badToken).toEqual({ message: expect.any(String), data: { code: "invalid_token" } });
    expect(seen.errors).toEqual(["empty_message", "invalid_input", "room_not_found"]);
  });
});
