// /metrics, for Prometheus and no one else. On the app's port it answers only a caller with
// METRICS_TOKEN as its bearer token, and is not there at all without one (404, like any path we
// do not serve): a public /metrics tells the world how busy we are and where it hurts.
// METRICS_PORT serves it on a port of its own, on HOST, for a network only Prometheus reaches
// (with METRICS_TOKEN, that port asks for it too).
import { timingSafeEqual } from "node:crypto";
import { Elysia } from "elysia";
import type { Metrics } from "../metrics";
import { ErrorBody } from "../schemas";

const EXPOSITION = "text/plain; version=0.0.4";

/** The scrape, or why not. `token`: METRICS_TOKEN; `open`: served without one (its own port). */
function scrape(metrics: Metrics, authorization: string | null, token: string | undefined, open: boolean): Response {
  if (token === undefined && !open) return NO_SUCH_ENDPOINT();
  if (token !== undefined && !sameSecret(authorization?.replace(/^Bearer\s+/i, "") ?? "", token)) {
    const code = authorization ? "invalid_token" : "missing_token";
    return Response.json({ code, message: "send Authorization: Bearer <METRICS_TOKEN>" }, { status: 401 });
  }
  return new Response(metrics.render(), { headers: { "content-type": EXPOSITION } });
}

/** The app's own answer to a path it does not serve. */
const NO_SUCH_ENDPOINT = () => Response.json({ code: "not_found", message: "no such endpoint" }, { status: 404 });

function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** /metrics on the app's port. */
export function metricsRoute(metrics: Metrics, token: string | undefined) {
  return new Elysia().get("/metrics", ({ request }) => scrape(metrics, request.headers.get("authorization"), token, false), {
    detail: {
      summary: "Prometheus metrics of this instance",
      description: "Only with METRICS_TOKEN set, and that token as the bearer token; otherwise 404. METRICS_PORT serves it on a port of its own.",
      tags: ["health"],
      security: [{ metricsToken: [] }],
      responses: {
        200: { description: "Prometheus text exposition format 0.0.4", content: { [EXPOSITION]: { schema: { type: "string" } } } },
      },
    },
    response: { 401: ErrorBody, 404: ErrorBody },
  });
}

/** /metrics on METRICS_PORT, and nothing else there. */
export function serveMetrics(metrics: Metrics, host: string, port: number, token: string | undefined): Bun.Server<unknown> {
  return Bun.serve({
    hostname: host,
    port,
    reusePort: false,
    fetch(request) {
      if (URL.parse(request.url)?.pathname !== "/metrics") return NO_SUCH_ENDPOINT();
      return scrape(metrics, request.headers.get("authorization"), token, true);
    },
  });
}
