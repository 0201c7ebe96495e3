// Delivering to bots: the outbox (bot_deliveries, written with each message that concerns a
// bot) is drained by a worker on every instance. A worker claims due rows with FOR UPDATE SKIP
// LOCKED and moves them a lease ahead, in one short statement, so that no other instance takes
// them while it POSTs them; nothing holds a transaction open across a request. A delivered row
// is deleted; a failed one is due again after a backoff; one that fails for RETRY_FOR_MS is
// given up. An instance that dies mid-delivery leaves its rows to be taken again when the
// lease runs out: a bot may then hear a message twice (X-ChatLoop-Delivery tells it so), but
// its answer is posted once, under a clientId made of the delivery.
import { createHmac } from "node:crypto";
import { isDatabaseUnavailable } from "../errors";
import { log } from "../log";
import { readMessages } from "../messages/log";
import { type Message, SendMessage } from "../messages/schemas";
import { type SendDeps, sendMessage } from "../messages/send";
import { addressRule, type Guard, guardedFetch } from "../net/guarded-fetch";
import { findVisibleRoom, roomOf } from "../rooms/rooms";
import { compileValidator } from "../validation";

/** A bot that has not answered within this is tried again later (the contract's 10 s). */
const DELIVERY_TIMEOUT_MS = 10_000;
/** Rows a worker claims at once; it claims again at once while it finds this many. */
const BATCH = 10;
/** How long a claimed row is left to its worker: longer than a delivery and its answer can take. */
const LEASE_SECONDS = DELIVERY_TIMEOUT_MS / 1000 + 20;
/** A delivery is tried for this long after its message, then given up. */
const RETRY_FOR_MS = 24 * 3600_000;
/** The longest wait between two tries. */
const MAX_BACKOFF_MS = 3600_000;
/** What a bot's answer may weigh: a message is far smaller. */
const MAX_ANSWER_BYTES = 256 * 1024;

export interface OutboxSettings {
  /** Bot webhooks may be private addresses (WEBHOOK_ALLOW_PRIVATE): tests, a closed network. */
  allowPrivate: boolean;
  /** The wait before the first retry, doubled for each later one (with jitter). Tests shorten it. */
  firstRetryMs: number;
  /** How often a worker looks for due deliveries when nothing told it of one. */
  pollMs: number;
}

interface Claimed {
  id: string;
  bot_id: string;
  message_id: string;
  attempts: number;
  created_at: Date;
  webhook_url: string | null;
  secret: string;
  username: string;
}

/** The signature of a delivery: hex HMAC-SHA256 of "<timestamp>.<body>" with the bot's secret. */
export const signDelivery = (secret: string, timestamp: string, body: string) => createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");

/** A bot's answer is checked like any message sent: well-formed text, no NUL. */
const validSend = compileValidator(SendMessage);

type Outcome = { kind: "delivered"; answer?: string } | { kind: "retry"; why: string } | { kind: "refused"; why: string };

export class BotOutbox {
  private timer?: Timer;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  /** How a bot's answer is posted; given at start, since the outbox is part of what broadcasts. */
  private deps!: SendDeps;
  private readonly guard: Guard["addressAllowed"];

  constructor(private readonly settings: OutboxSettings) {
    this.guard = addressRule(settings.allowPrivate);
  }

  start(deps: SendDeps): void {
    this.deps = deps;
    this.schedule(0);
  }

  /** A message that may concern a bot was stored: look now rather than at the next poll. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.drain().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.again ? 0 : this.settings.pollMs);
        this.again = false;
      });
    }, ms);
  }

  /** Delivers what is due, batch after batch, until less than a batch is left. */
  private async drain(): Promise<void> {
    try {
      // What was claimed is delivered even when a stop came meanwhile: left, it would wait out its lease.
      while (!this.stopped) {
        const claimed = await this.claim();
        await Promise.all(claimed.map((row) => this.deliver(row)));
        if (claimed.length < BATCH) return;
      }
    } catch (error) {
      log.warn("bot_outbox_failed", { error: String(error) });
    }
  }

  private claim(): Promise<Claimed[]> {
    return this.deps.sql<Claimed[]>`
      with due as (
        select id from bot_deliveries where next_attempt_at <= now()
        order by next_attempt_at limit ${BATCH}
        for update skip locked
      ), claimed as (
        update bot_deliveries d set attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${LEASE_SECONDS})
        from due where d.id = due.id
        returning d.id, d.bot_id, d.message_id, d.attempts, d.created_at
      )
      select c.*, b.webhook_url, b.secret, u.username
      from claimed c join bots b on b.user_id = c.bot_id join users u on u.id = c.bot_id`;
  }

  private async deliver(row: Claimed): Promise<void> {
    const message = (await readMessages(this.deps.sql, [row.message_id])).get(row.message_id);
    const outcome = !row.webhook_url || !message || message.deletedAt ? { kind: "refused" as const, why: "nothing to deliver" } : await this.post(row, row.webhook_url, message);
    if (outcome.kind === "delivered") {
      if (outcome.answer && message) await this.answer(row, message, outcome.answer);
      await this.deps.sql`delete from bot_deliveries where id = ${row.id}`;
      return;
    }
    const giveUp = outcome.kind === "refused" || Date.now() - row.created_at.getTime() >= RETRY_FOR_MS;
    if (giveUp) {
      log.warn("bot_delivery_dropped", { bot: row.username, delivery: row.id, attempts: row.attempts, why: outcome.why });
      await this.deps.sql`delete from bot_deliveries where id = ${row.id}`;
    } else {
      await this.deps.sql`
        update bot_deliveries set next_attempt_at = now() + make_interval(secs => ${this.backoffMs(row.attempts) / 1000}), last_error = ${outcome.why}
        where id = ${row.id}`;
    }
  }

  /** POSTs `{ message, room }`, signed, and reads the bot's answer. */
  private async post(row: Claimed, url: string, message: Message): Promise<Outcome> {
    const visible = await findVisibleRoom(this.deps.sql, row.bot_id, message.roomId).catch((error) => {
      if (isDatabaseUnavailable(error)) throw error;
      return undefined; // the bot has left a private room since
    });
    if (!visible) return { kind: "refused", why: "the bot cannot see the room" };
    const body = JSON.stringify({ message, room: roomOf(visible) });
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const answered = await guardedFetch(
        url,
        {
          method: "POST",
          body,
          headers: {
            "content-type": "application/json",
            "user-agent": "ChatLoop",
            "x-chatloop-delivery": row.id,
            "x-chatloop-timestamp": timestamp,
            "x-chatloop-signature": `sha256=${signDelivery(row.secret, timestamp, body)}`,
          },
        },
        { addressAllowed: this.guard, timeoutMs: DELIVERY_TIMEOUT_MS, maxBytes: MAX_ANSWER_BYTES },
      );
      if (answered.status >= 200 && answered.status < 300) return { kind: "delivered", answer: answerOf(answered.headers.get("content-type"), answered.body) };
      // Any other 4xx is the bot saying no to this delivery: asking again would not change it.
      const retry = answered.status >= 500 || answered.status === 408 || answered.status === 429;
      return { kind: retry ? "retry" : "refused", why: `HTTP ${answered.status}` };
    } catch (error) {
      return { kind: "retry", why: String(error) };
    }
  }

  /** Posts the bot's answer as its reply, as any send is posted; once, however often it was delivered. */
  private async answer(row: Claimed, message: Message, content: string): Promise<void> {
    try {
      const reply = validSend({ roomId: message.roomId, content, replyToId: message.id, clientId: `bot-delivery:${row.id}` });
      await sendMessage(this.deps, { userId: row.bot_id, username: row.username }, reply);
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error; // the row stays claimed, and is tried again after its lease
      log.warn("bot_answer_refused", { bot: row.username, delivery: row.id, error: String(error) });
    }
  }

  /** Exponential, from firstRetryMs, capped; between half and all of it, so that retries spread out. */
  private backoffMs(attempts: number): number {
    const full = Math.min(this.settings.firstRetryMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
    return full / 2 + Math.random() * (full / 2);
  }
}

/** A bot's answer: JSON `{ content }`, or the text of the body; blank is no answer. */
function answerOf(contentType: string | null, body: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(body);
  let content: unknown = text;
  if (contentType?.startsWith("application/json")) {
    try {
      content = (JSON.parse(text) as { content?: unknown } | null)?.content;
    } catch {
      content = undefined;
    }
  }
  return typeof content === "string" && /\S/.test(content) ? content : undefined;
}
