// What an operator sees: request ids on every answer, and Prometheus metrics that move
// with the traffic.
import { afterAll, afterEach, beforeAll, expect, spyOn, test } from "bun:test";
import { log, setLogLevel } from "../src/log";
import { api, closeSockets, connect, createRoom, inbox, type Person, people, scrape, startServer, stopServer, TEST_METRICS_TOKEN, type TestServer } from "./harness";

let server: TestServer;
let alice: Person, bob: Person;

beforeAll(async () => {
  server = await startServer();
  [alice, bob] = await people(server, "alice", "bob");
});
afterEach(closeSockets);
afterAll(() => stopServer(server));

test("every answer carries a request id: the caller's own when it is sane, a new one otherwise", async () => {
  const given = await fetch(`${server.base}/healthz`, { headers: { "x-request-id": "trace-42" } });
  expect(given.headers.get("x-request-id")).toBe("trace-42");
  const hostile = await fetch(`${server.base}/healthz`, { headers: { "x-request-id": "<script>alert(1)</script>" } });
  expect(hostile.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  const none = await fetch(`${server.base}/nowhere`);
  expect(none.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
});

test("/metrics is Prometheus text that counts requests by route template and status, not by raw path", async () => {
  const response = await fetch(`${server.base}/metrics`, { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
  expect(response.headers.get("content-type")).toStartWith("text/plain");
  await api(server, "GET", `/rooms/${crypto.randomUUID()}`, undefined, alice.token);
  await api(server, "GET", `/rooms/${crypto.randomUUID()}`, undefined, alice.token);
  const samples = await scrape(server);
  expect(samples.get('chatloop_http_requests_total{method="GET",route="/rooms/:roomId",status="404"}')).toBe(2);
  expect([...samples.keys()].some((k) => k.includes("/rooms/0") || k.includes("/rooms/f"))).toBe(false);
});

test("/metrics on the app's port answers only METRICS_TOKEN as the bearer token: no token, another token or a user's token get 401", async () => {
  const as = (authorization?: string) => fetch(`${server.base}/metrics`, { headers: authorization ? { authorization } : {} });
  const refusals = [await as(), await as("Bearer not-the-metrics-token"), await as(`Bearer ${alice.token}`)];
  expect(await Promise.all(refusals.map(async (r) => [r.status, (await r.json()).code]))).toEqual([
    [401, "missing_token"],
    [401, "invalid_token"],
    [401, "invalid_token"],
  ]);
  expect((await as(`Bearer ${TEST_METRICS_TOKEN}`)).status).toBe(200);
});

test("without METRICS_TOKEN, /metrics is not served on the app's port at all; METRICS_PORT serves it on its own port, and nothing else", async () => {
  const quiet = await startServer({ metricsToken: undefined, metricsPort: 0 });
  try {
    const onApp = await fetch(`${quiet.base}/metrics`);
    expect(onApp.status).toBe(404);
    expect(await onApp.json()).toEqual({ code: "not_found", message: "no such endpoint" });
    const own = await fetch(quiet.metricsUrl!);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain("chatloop_http_requests_total");
    const elsewhere = await fetch(new URL("/rooms", quiet.metricsUrl!));
    expect(elsewhere.status).toBe(404);
    expect(quiet.metricsUrl!.port).not.toBe(new URL(quiet.base).port);
  } finally {
    await stopServer(quiet);
  }
});

test("the process's own metrics: CPU seconds, resident memory, heap in use, open files, start time and event-loop lag", async () => {
  const samples = await scrape(server);
  expect(samples.get("process_cpu_seconds_total")).toBeGreaterThan(0);
  expect(samples.get("process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024);
  expect(samples.get("chatloop_heap_used_bytes")).toBeGreaterThan(0);
  expect(samples.get("process_open_fds")).toBeGreaterThan(0);
  expect(samples.get("process_start_time_seconds")).toBeLessThanOrEqual(Date.now() / 1000);
  for (const quantile of ["0.5", "0.99", "1"]) expect(samples.get(`chatloop_event_loop_lag_seconds{quantile="${quantile}"}`)).toBeGreaterThanOrEqual(0);
});

test("logs and metrics carry the status the client received, also when an error handler answered it", async () => {
  const before = await scrape(server);
  const out = spyOn(console, "log");
  const level = setLogLevel("info");
  try {
    const tooMany = await api(server, "GET", `/messages/${crypto.randomUUID()}?limit=1000`, undefined, alice.token);
    const blank = await api(server, "POST", "/rooms", { name: "" }, alice.token);
    const page = await fetch(`${server.base}/chat/rooms/not-a-uuid`, { headers: { accept: "text/html", authorization: `Bearer ${alice.token}` } });
    expect([tooMany.status, blank.status, page.status]).toEqual([400, 400, 404]);
    // The line is written once the answer is out: a scrape after it is answered after the line.
    const after = await scrape(server);
    const grew = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect(grew('chatloop_http_requests_total{method="GET",route="/messages/:roomId",status="400"}')).toBe(1);
    expect(grew('chatloop_http_requests_total{method="POST",route="/rooms",status="400"}')).toBe(1);
    expect(grew('chatloop_http_requests_total{method="GET",route="/chat/rooms/:roomId",status="404"}')).toBe(1);
    expect([...after.keys()].filter((k) => k.includes('status="422"'))).toEqual([]);
    const logged = out.mock.calls.map(([line]) => JSON.parse(String(line))).filter((l) => l.event === "request" && l.status >= 400);
    expect(logged.map((l) => [l.route, l.status])).toEqual([
      ["/messages/:roomId", 400],
      ["/rooms", 400],
      ["/chat/rooms/:roomId", 404],
    ]);
  } finally {
    setLogLevel(level);
    out.mockRestore();
  }
});

test("stored and delivered messages, socket events and connections are counted", async () => {
  const before = await scrape(server);
  const room = await createRoom(server, alice, "counted");
  await api(server, "POST", `/rooms/${room.id}/join`, undefined, bob.token);
  const [a, b] = [await connect(server, alice.token), await connect(server, bob.token)];
  await a.emitWithAck("joinRoom", { roomId: room.id });
  await b.emitWithAck("joinRoom", { roomId: room.id });
  const heard = inbox(b);
  await a.emitWithAck("sendMessage", { roomId: room.id, content: "one" });
  await a.emitWithAck("sendMessage", { roomId: room.id, content: "two" });
  await heard.until(2);
  await a.emitWithAck("sendMessage", { roomId: "not-an-id", content: "three" });

  const after = await scrape(server);
  const grew = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  expect(grew("chatloop_messages_stored_total")).toBe(2);
  expect(grew(`chatloop_messages_delivered_total{path="websocket"}`)).toBe(4); // two messages, two sockets each
  expect(grew('chatloop_socket_events_total{event="sendMessage",outcome="ok"}')).toBe(2);
  expect(grew('chatloop_socket_events_total{event="sendMessage",outcome="invalid_input"}')).toBe(1);
  expect(after.get("chatloop_socket_connections")).toBe(2);
  expect(after.get("chatloop_rooms_watched")).toBe(1);
});

test("LOG_LEVEL=warn drops info lines, such as the line per request, and keeps warnings and errors", () => {
  const out = spyOn(console, "log");
  const err = spyOn(console, "error");
  const before = setLogLevel("warn");
  try {
    log.info("request", { path: "/rooms" });
    log.warn("checked", { why: "test" });
    log.error("failed", new Error("boom"));
    setLogLevel("info");
    log.info("request", { path: "/rooms" });
    expect(out.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([{ time: expect.any(String), level: "info", event: "request", path: "/rooms" }]);
    expect(err.mock.calls.map(([line]) => JSON.parse(String(line)).event)).toEqual(["checked", "failed"]);
  } finally {
    setLogLevel(before);
    out.mockRestore();
    err.mockRestore();
  }
});
