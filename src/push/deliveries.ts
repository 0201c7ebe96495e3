// Sending pushes: each encrypted for its browser and signed with the VAPID key (web-push builds
// the request), POSTed to the push service within a deadline, and tried again later while the
// service is unreachable or busy. One endpoint's pushes go one after another, so that they
// arrive in order and a room's newest notification is the one left showing. Everything waits
// in memory, within bounds: a push that cannot be kept is dropped, never a message delayed.
import webpush from "web-push";
import type { PushConfig } from "../config";
import { log } from "../log";
import type { Counter } from "../metrics";
import type { PushTarget } from "./subscriptions";

/** A push service that has not answered within this is tried again later. */
const SEND_TIMEOUT_MS = 10_000;
/** Sends of one push at most: the first and four retries, 1, 2, 4 and 8 first retry waits apart (about 2.5 minutes in all at 10 s). */
const MAX_TRIES = 5;
/** A push service's Retry-After is followed up to this. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;
/** Pushes waiting, on all endpoints together; a new one beyond this is dropped. */
const MAX_WAITING = 10_000;
/** Requests to push services at once. */
const MAX_IN_FLIGHT = 32;
/** A chat notification a day late is news no more: the push service drops it then. */
const TTL_SECONDS = 24 * 3600;

export interface Push extends PushTarget {
  roomId: string;
  /** The JSON the service worker reads. */
  payload: string;
}

type Outcome = { kind: "delivered" } | { kind: "gone"; status?: number } | { kind: "retry"; afterMs: number; why: string } | { kind: "refused"; status: number };

interface Pending extends Push {
  tries: number;
}

interface Line {
  endpoint: string;
  pushes: Pending[];
  /** Queued for a request slot, sending its first push, or waiting to try that again. */
  state: "queued" | "sending" | "waiting";
  retry?: Timer;
}

export class Deliveries {
  private readonly lines = new Map<string, Line>();
  /** Lines with a push to send, waiting for a request slot. */
  private readonly ready: Line[] = [];
  private inFlight = 0;
  private waiting = 0;
  private readonly stopped = new AbortController();

  constructor(
    private readonly push: PushConfig,
    /** The push service says the subscription is no more. */
    private readonly forget: (endpoint: string) => Promise<void>,
    private readonly pushes: Counter,
  ) {}

  /** Queues the push; false when too many are waiting already, and it was dropped. */
  add(push: Push): boolean {
    if (this.stopped.signal.aborted) return false;
    const line = this.lines.get(push.endpoint);
    // A room's newer push replaces its older one not yet on the wire: that one's notification would be replaced anyway.
    const older = line ? line.pushes.findIndex((pending, i) => pending.roomId === push.roomId && !(i === 0 && line.state === "sending")) : -1;
    if (older >= 0) {
      line!.pushes[older] = { ...push, tries: 0 };
      return true;
    }
    if (this.waiting >= MAX_WAITING) {
      this.pushes.inc({ outcome: "dropped" });
      return false;
    }
    this.waiting++;
    const pending = { ...push, tries: 0 };
    // A line lives while it has pushes, and is then queued, sending or waiting already.
    if (line) {
      line.pushes.push(pending);
    } else {
      const fresh: Line = { endpoint: push.endpoint, pushes: [pending], state: "queued" };
      this.lines.set(push.endpoint, fresh);
      this.queue(fresh);
    }
    return true;
  }

  stop(): void {
    this.stopped.abort();
    for (const line of this.lines.values()) clearTimeout(line.retry);
    this.lines.clear();
    this.ready.length = 0;
  }

  private queue(line: Line): void {
    line.state = "queued";
    this.ready.push(line);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.ready.length > 0) {
      const line = this.ready.shift()!;
      line.state = "sending";
      this.inFlight++;
      void this.sendFirst(line).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async sendFirst(line: Line): Promise<void> {
    const push = line.pushes[0]!;
    push.tries++;
    const outcome = await this.send(push);
    if (this.stopped.signal.aborted) return;
    const host = new URL(line.endpoint).host;
    const retryInMs = outcome.kind === "retry" && push.tries < MAX_TRIES ? Math.max(outcome.afterMs, this.backoff(push.tries)) : undefined;
    this.pushes.inc({ outcome: retryInMs !== undefined ? "retried" : outcome.kind === "delivered" || outcome.kind === "gone" ? outcome.kind : "failed" });
    if (outcome.kind === "gone") {
      this.lines.delete(line.endpoint);
      this.waiting -= line.pushes.length;
      log.info("push_subscription_gone", { host, status: outcome.status });
      await this.forget(line.endpoint).catch((error) => log.warn("push_forget_failed", { error: String(error) }));
      return;
    }
    if (retryInMs !== undefined) {
      line.state = "waiting";
      line.retry = setTimeout(() => this.queue(line), retryInMs);
      return;
    }
    if (outcome.kind !== "delivered") log.warn("push_failed", { host, tries: push.tries, ...(outcome.kind === "retry" ? { why: outcome.why } : { status: outcome.status }) });
    line.pushes.shift();
    this.waiting--;
    if (line.pushes.length > 0) this.queue(line);
    else this.lines.delete(line.endpoint);
  }

  /** The wait before the next try: doubled after each, from half to one and a half of it at random, so that retries of many pushes spread out. */
  private backoff(tries: number): number {
    return this.push.firstRetryMs * 2 ** (tries - 1) * (0.5 + Math.random());
  }

  private async send(push: Push): Promise<Outcome> {
    let request: webpush.RequestDetails & { body: Buffer };
    try {
      request = webpush.generateRequestDetails({ endpoint: push.endpoint, keys: push.keys }, push.payload, {
        vapidDetails: this.push.vapid,
        TTL: TTL_SECONDS,
        contentEncoding: "aes128gcm",
        // The push service keeps only the newest undelivered push of a room for a browser that is offline.
        topic: push.roomId.replaceAll("-", ""),
      });
    } catch (error) {
      // Keys nothing can be encrypted for: no push to this subscription can ever be read.
      log.warn("push_keys_unusable", { error: String(error) });
      return { kind: "gone" };
    }
    const { "Content-Length": _length, ...headers } = request.headers as Record<string, string | number>;
    try {
      const response = await fetch(request.endpoint, {
        method: "POST",
        headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)])),
        body: new Uint8Array(request.body),
        // A redirect could lead anywhere, past the checks made when subscribing; push services do not redirect.
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(SEND_TIMEOUT_MS), this.stopped.signal]),
      });
      await response.body?.cancel();
      if (response.ok) return { kind: "delivered" };
      if (response.status === 404 || response.status === 410) return { kind: "gone", status: response.status };
      if (response.status === 429 || response.status >= 500) {
        const afterMs = Math.min(MAX_RETRY_AFTER_MS, Number(response.headers.get("retry-after")) * 1000 || 0);
        return { kind: "retry", afterMs, why: `status ${response.status}` };
      }
      return { kind: "refused", status: response.status };
    } catch (error) {
      return { kind: "retry", afterMs: 0, why: String(error) };
    }
  }
}
