// Every HTTP request gets an id (the caller's X-Request-Id when it is a sane one), is
// counted and timed by route, and leaves one JSON log line.
import { Elysia } from "elysia";
import { log } from "../log";
import type { Metrics } from "../metrics";

const SANE_REQUEST_ID = /^[\w.-]{1,64}$/;

export function observe(metrics: Metrics) {
  const started = new WeakMap<Request, { at: number; id: string; status?: number }>();
  return (
    new Elysia({ name: "observe" })
      .onRequest(({ request, set }) => {
        const given = request.headers.get("x-request-id");
        const id = given && SANE_REQUEST_ID.test(given) ? given : crypto.randomUUID();
        started.set(request, { at: performance.now(), id });
        set.headers["x-request-id"] = id;
      })
      // The status the client receives. An error handler that answers with a Response of its own
      // (400 for a validation failure, a page's 404) leaves `set.status` at what Elysia chose
      // first (422 for any validation failure); this hook sees every answer on its way out, the
      // error handlers' included, so the Response's own status is the one that is counted.
      .mapResponse({ as: "global" }, ({ request, responseValue }) => {
        const start = started.get(request);
        if (start && responseValue instanceof Response) start.status = responseValue.status;
      })
      .onAfterResponse({ as: "global" }, ({ request, route, set }) => {
        const start = started.get(request);
        if (!start) return;
        const ms = performance.now() - start.at;
        const status = start.status ?? (typeof set.status === "number" ? set.status : 200);
        const labels = { method: request.method, route: route || "unmatched" };
        metrics.httpRequests.inc({ ...labels, status });
        metrics.httpDuration.observe(ms / 1000, labels);
        log.info("request", { requestId: start.id, ...labels, path: new URL(request.url).pathname, status, ms: Math.round(ms * 10) / 10 });
      })
  );
}
