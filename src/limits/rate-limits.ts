// Abuse limits: sliding windows counted in the shared state, so that every instance counts
// together and no span of a window's length ever lets more than the limit through (a fixed
// window lets twice the limit through across its edge). A limit that cannot be counted (Redis
// away) lets the request through: it is better to serve without a limit for a moment than to
// refuse everyone.
import { AppError } from "../errors";
import { log } from "../log";
import type { Admission, FastState } from "../state/fast-state";

export interface Limit {
  max: number;
  windowMs: number;
}

export interface Limits {
  /** Failed sign-ins on one username from one address (the owner elsewhere is not locked out). */
  loginPerAccount: Limit;
  /** Failed sign-ins from one address, for any username. */
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

/** Takes a counted use back: what did not fail (a sign-in that succeeded) does not count. */
export type TakeBack = () => Promise<void>;

export class RateLimiter {
  constructor(
    private readonly state: FastState,
    readonly limits: Limits,
  ) {}

  /** Counts one use of `limit` by `subject`, or throws RateLimited when it is used up. */
  async take(name: keyof Limits, subject: string): Promise<TakeBack> {
    const { max, windowMs } = this.limits[name];
    const key = `limit:${name}:${subject}`;
    let admission: Admission;
    try {
      admission = await this.state.admit(key, windowMs, max);
    } catch (error) {
      log.warn("rate_limit_uncounted", { limit: name, error: String(error) });
      return async () => {};
    }
    if (!admission.admitted) throw new RateLimited(admission.retryMs);
    const { id } = admission;
    return () => this.state.forgetUse(key, id).catch((error) => log.warn("rate_limit_not_taken_back", { limit: name, error: String(error) }));
  }

  /** Counts one use of each limit, all or none: a refusal by one takes back the others. */
  async takeAll(uses: [keyof Limits, string][]): Promise<TakeBack> {
    const taken: TakeBack[] = [];
    const takeBack = async () => void (await Promise.all(taken.map((back) => back())));
    try {
      for (const [name, subject] of uses) taken.push(await this.take(name, subject));
    } catch (error) {
      await takeBack();
      throw error;
    }
    return takeBack;
  }
}
