// Abuse limits: fixed windows counted in the shared state, so that every instance counts
// together. A limit that cannot be counted (Redis away) lets the request through: it is
// better to serve without a limit for a moment than to refuse everyone.
import { AppError } from "../errors";
import { log } from "../log";
import type { FastState } from "../state/fast-state";

export interface Limit {
  max: number;
  windowMs: number;
}

export interface Limits {
  /** Sign-in attempts for one username, from anywhere. */
  loginPerAccount: Limit;
  /** Sign-in attempts from one address, for any username. */
  loginPerAddress: Limit;
  /** Accounts created from one address. */
  registerPerAddress: Limit;
  /** Messages one user sends, over REST and sockets together. */
  messagesPerUser: Limit;
}

export class RateLimited extends AppError {
  constructor(readonly retryAfterMs: number) {
    super(429, "rate_limited", `too many requests: retry in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

export class RateLimiter {
  constructor(
    private readonly state: FastState,
    readonly limits: Limits,
  ) {}

  /** Counts one use of `limit` by `subject`, or throws RateLimited when it is used up. */
  async take(name: keyof Limits, subject: string): Promise<void> {
    const { max, windowMs } = this.limits[name];
    let hits;
    try {
      hits = await this.state.hit(`limit:${name}:${subject}`, windowMs);
    } catch (error) {
      log.warn("rate_limit_uncounted", { limit: name, error: String(error) });
      return;
    }
    if (hits.count > max) throw new RateLimited(hits.resetMs);
  }
}
