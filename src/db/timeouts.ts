// How long a request waits for a PostgreSQL server. A server that refuses connections fails a
// query at once; one that stops answering (a frozen host, a partition: connections open,
// nothing comes back) would hold every request for the whole outage. So each statement has
// two limits: PostgreSQL cancels it itself after STATEMENT_TIMEOUT_MS, and, since a frozen
// network never delivers that cancellation, the client stops waiting at ANSWER_DEADLINE_MS.
//
// Giving up on an answer is not enough: the driver would keep the connection busy with the
// lost statement for good, and queue more behind it. So when the server has answered nothing
// for a whole deadline, the pool is replaced: the old one is ended, which fails what it still
// held, and its sockets are destroyed. Not its connections one by one: the driver has no way
// to end one, and a connection whose socket closes while a write waits can never write again
// (postgres 3.4.9 cancels that write's timer without forgetting it).
import { connect, type Socket } from "node:net";
import postgres from "postgres";
import { log } from "../log";
import type { Sql } from "./sql";

/**
 * PostgreSQL cancels a statement that runs longer than this (its `statement_timeout`), in ms.
 * The longest on the request path is a group commit of 500 messages, measured on a 2-core
 * machine with a load of 8: 0.2 s for 500 of 1,000 characters, 0.6 s for 500 of 4,000. The
 * very largest, 500 of 4,000 four-byte characters (8 MB), takes 0.4 s on a quiet machine but
 * up to 2.2 s at that load: then it is cancelled, and its senders get `unavailable` and retry.
 */
export const STATEMENT_TIMEOUT_MS = 1500;

/**
 * How long the client waits for the answer to a call (a statement, or a whole transaction),
 * in ms, time queued for a connection included. Longer than STATEMENT_TIMEOUT_MS, so that a
 * statement that is only slow is ended by PostgreSQL, whose error says so.
 */
export const ANSWER_DEADLINE_MS = 2000;

/** What a call that missed its deadline fails with: a code `publicError` reads as "unavailable". */
const noAnswer = () => Object.assign(new Error(`PostgreSQL did not answer within ${ANSWER_DEADLINE_MS} ms`), { code: "ETIMEDOUT" });

/** What the driver passes to a custom socket function. */
interface Address {
  host: string[];
  port: number[];
  path: string | false;
}

/** The driver options a DeadlinePool adds: PostgreSQL's own limit, and sockets it can destroy. */
interface DeadlineOptions {
  connection: { statement_timeout: number; jit: "off" };
  socket: (address: Address) => Socket;
}

/** One pool of the driver's. */
interface Pool {
  sql: Sql;
  sockets: Set<Socket>;
  /** When a call on it last got an answer from PostgreSQL (rows, or PostgreSQL's error). */
  answeredAt: number;
  /** Ended (replaced, or closed): a socket it opens now is a reconnection it had scheduled. */
  ended: boolean;
}

/** Connections to a PostgreSQL server on which every call is answered within ANSWER_DEADLINE_MS, or fails. */
export class DeadlinePool {
  private pool: Pool;
  private hostIndex = 0;
  /** The driver's `sql` on the current pool, with a deadline on each statement (a tagged template) and each transaction (`begin`). */
  readonly sql: Sql;

  constructor(private readonly driver: (options: DeadlineOptions) => Sql) {
    this.pool = this.open();
    this.sql = new Proxy(this.pool.sql, {
      apply: (_, self, args: Parameters<Sql>) => {
        const pool = this.pool;
        const made = Reflect.apply(pool.sql, self, args);
        return Array.isArray((args[0] as TemplateStringsArray | undefined)?.raw) ? this.onThen(made, pool) : made;
      },
      get: (_, key) => {
        const pool = this.pool;
        if (key !== "begin") return Reflect.get(pool.sql, key);
        return (...args: Parameters<Sql["begin"]>) => this.within(pool.sql.begin(...args), pool);
      },
    });
  }

  /** The current pool, with no deadline: for migrations, which take as long as they take. */
  get withoutDeadline(): Sql {
    return this.pool.sql;
  }

  async end(timeoutSeconds: number): Promise<void> {
    await this.close(this.pool, timeoutSeconds);
  }

  /**
   * A statement is given back as it is (so fragments, `.values()` and the rest still work),
   * with the deadline on its `then`, where it starts.
   */
  private onThen<Q extends PromiseLike<unknown>>(query: Q, pool: Pool): Q {
    const start = query.then.bind(query);
    let answer: PromiseLike<unknown> | undefined;
    // biome-ignore lint/suspicious/noThenProperty: the deadline must sit where a statement starts, its then
    query.then = ((onAnswer, onError) => (answer ??= this.within(start(), pool)).then(onAnswer, onError)) as Q["then"];
    return query;
  }

  private within<T>(call: PromiseLike<T>, pool: Pool): Promise<T> {
    const asked = performance.now();
    const answered = () => (pool.answeredAt = performance.now());
    call.then(answered, (error) => error instanceof postgres.PostgresError && answered());
    let timer: Timer | undefined;
    const missed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (pool.answeredAt < asked) this.replace(pool);
        reject(noAnswer());
      }, ANSWER_DEADLINE_MS);
    });
    return Promise.race([call, missed]).finally(() => clearTimeout(timer));
  }

  /** The server has answered nothing on `pool` since a call that missed its deadline was made. */
  private replace(pool: Pool): void {
    if (pool.ended) return;
    log.warn("database_not_answering", { waitedMs: ANSWER_DEADLINE_MS, action: "replacing the connection pool" });
    this.pool = this.open();
    void this.close(pool, 0);
  }

  private async close(pool: Pool, timeoutSeconds: number): Promise<void> {
    pool.ended = true;
    await pool.sql.end({ timeout: timeoutSeconds });
    // Ending sends PostgreSQL a goodbye and waits for its side to close, which a frozen server never does.
    for (const socket of pool.sockets) socket.destroy();
  }

  private open(): Pool {
    const pool = { sockets: new Set<Socket>(), answeredAt: performance.now(), ended: false };
    // JIT compiling pays off for long analytic queries, not for ours: past its cost threshold
    // (GET /rooms of a member of 200 busy rooms) it took 55-200 ms of a 10 ms statement.
    const sql = this.driver({ connection: { statement_timeout: STATEMENT_TIMEOUT_MS, jit: "off" }, socket: (address) => this.connect(address, pool) });
    return Object.assign(pool, { sql });
  }

  /** A socket for the driver, already connecting (it writes its start-up at once, and reads errors from the socket). */
  private connect({ host, port, path }: Address, pool: Pick<Pool, "sockets" | "ended">): Socket {
    for (const old of pool.sockets) if (old.destroyed) pool.sockets.delete(old);
    const i = this.hostIndex++ % host.length;
    const socket = path ? connect(path) : Object.assign(connect(port[i]!, host[i]), { host: host[i] }); // `host`: the driver names the TLS server by it
    pool.sockets.add(socket);
    if (pool.ended) socket.destroy();
    return socket;
  }
}
