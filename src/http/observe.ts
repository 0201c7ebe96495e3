// Every HTTP request gets an id (the caller's X-Request-Id when it is a sane one), is
// counted and timed by route, and leaves one JSON log line.
import { Elysia } from "elysia";
import { log } from "../log";
import type { Metrics } from "../metrics";

const SANE_REQUEST_ID = /^[\w.-]{1,64}$/;

export function observe(metrics: Metrics) {
  const started = new WeakMap<Request, { at: number; id: string }>();
  return new Elysia({ name: "observe" })
    .onRequest(({ request, set }) => {
      const given = request.headers.get("x-request-id");
      const id = given && SANE_REQUEST_ID.test(given) ? given : crypto.randomUUID();
      started.set(request, { at: performance.now(), id });
      set.headers["x-request-id"] = id;
    })
    .onAfterResponse({ as: "global" }, ({ request, route, set }) => {
      const start = started.get(request);
      if (!start) return;
      const ms = performance.now() - start.at;
      const status = typeof set.status === "number" ? set.status : 200;
      const labels = { method: request.method, route: route || "unmatched" };
      metrics.httpRequests.inc({ ...labels, status });
      metrics.httpDuration.observe(ms / 1000, labels);
      log.info("request", { requestId: start.id, ...labels, path: new URL(request.url).pathname, status, ms: Math.round(ms * 10) / 10 });
    })
    .get("/metrics", () => new Response(metrics.render(), { headers: { "content-type": "text/plain; version=0.0.4" } }), {
      detail: { summary: "Prometheus metrics of this instance", tags: ["health"] },
    });
}
