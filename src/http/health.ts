import { Elysia, t } from "elysia";
import type { Sql } from "../db/sql";

const Status = t.Object({ status: t.String() });
/**
 * A load balancer's probe must get an answer quickly, even while the database hangs: within
 * a probe's usual timeout of a second or two, so sooner than a query's own deadline
 * (ANSWER_DEADLINE_MS in src/db/timeouts.ts).
 */
const READY_TIMEOUT_MS = 1000;

export function healthRoutes(sql: Sql) {
  return new Elysia({ tags: ["health"] })
    .get("/", () => ({ status: "ok" }), { response: Status, detail: { summary: "Health, for API clients", security: [] } })
    .get("/healthz", () => ({ status: "ok" }), { response: Status, detail: { summary: "Alive: the process answers", security: [] } })
    .get(
      "/readyz",
      async ({ set }) => {
        try {
          await Promise.race([sql`select 1`, Bun.sleep(READY_TIMEOUT_MS).then(() => Promise.reject(new Error("timeout")))]);
          return { status: "ready" };
        } catch {
          set.status = 503;
          return { status: "database unavailable" };
        }
      },
      { response: { 200: Status, 503: Status }, detail: { summary: "Ready: the database answers", security: [] } },
    );
}
