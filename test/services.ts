// Servers a test owns, so that a fault drill can stop and restart them: a Redis and a
// PostgreSQL cluster of its own in a temp folder, and a TCP proxy to put between ChatLoop and
// them. ChatLoop itself as a process is test/chatloop-process.ts.
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A port nobody listens on right now. */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** Polls a condition about a process we started, up to a deadline. */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25); // polling a process we started, not pacing the test
  }
}

/** A server process of the test's, to freeze, thaw and stop. */
abstract class OwnProcess {
  protected process?: Bun.Subprocess;

  /** SIGSTOP: the process keeps its connections but answers nothing, as a frozen host does. */
  freeze(): void {
    this.process!.kill("SIGSTOP");
  }

  thaw(): void {
    this.process!.kill("SIGCONT");
  }

  async stop(): Promise<void> {
    this.process?.kill("SIGCONT"); // a frozen process takes its SIGKILL all the same, but lets go of its port sooner
    this.process?.kill("SIGKILL");
    await this.process?.exited;
    this.process = undefined;
  }
}

export class OwnRedis extends OwnProcess {
  readonly port = freePort();
  readonly url = `redis://127.0.0.1:${this.port}`;

  async start(): Promise<void> {
    this.process = Bun.spawn(["redis-server", "--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdout: "ignore", stderr: "ignore" });
    await waitFor(async () => (await Bun.spawn(["redis-cli", "-p", String(this.port), "ping"], { stdout: "pipe", stderr: "ignore" }).exited) === 0, "redis");
  }
}

/** test/tcp-proxy.ts in front of the server of `target`, a URL: `url` is the same URL through the proxy. */
export class TcpProxy extends OwnProcess {
  url = "";
  private nextLine?: () => Promise<Record<string, unknown>>;

  constructor(private readonly target: string) {
    super();
  }

  async start(): Promise<void> {
    const url = new URL(this.target);
    const child = Bun.spawn([process.execPath, join(import.meta.dir, "tcp-proxy.ts"), url.hostname, url.port], { stdout: "pipe", stderr: "inherit" });
    this.process = child;
    this.nextLine = jsonLines(child.stdout);
    url.port = String((await this.nextLine()).port);
    this.url = url.href;
  }

  /** Cuts off every connection the proxy holds, for good and in silence; how many it held. */
  async cut(): Promise<number> {
    this.process!.kill("SIGUSR1");
    return Number((await this.nextLine!()).cut);
  }
}

const pgBin = (tool: string) => join("/usr/lib/postgresql", readdirSync("/usr/lib/postgresql").sort().at(-1)!, "bin", tool);
const asPostgres = (args: string[]) => ["runuser", "-u", "postgres", "--", ...args];

/** A PostgreSQL cluster in a temp folder, run as the `postgres` user (initdb refuses root). */
export class OwnPostgres {
  readonly port = freePort();
  readonly dir = mkdtempSync(join(tmpdir(), "chatloop-pg-"));
  readonly url = `postgres://postgres@127.0.0.1:${this.port}/postgres`;

  async init(): Promise<void> {
    chownSync(this.dir, uidOf("postgres"), gidOf("postgres"));
    chmodSync(this.dir, 0o700);
    await run(asPostgres([pgBin("initdb"), "-D", join(this.dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync"]));
    await this.start();
  }

  start(): Promise<void> {
    return run(
      asPostgres([
        pgBin("pg_ctl"),
        "-D",
        join(this.dir, "data"),
        "-w",
        "-l",
        join(this.dir, "log"),
        "-o",
        `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        "start",
      ]),
    );
  }

  stop(): Promise<void> {
    return run(asPostgres([pgBin("pg_ctl"), "-D", join(this.dir, "data"), "-w", "-m", "fast", "stop"]));
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function run(command: string[]): Promise<void> {
  const child = Bun.spawn(command, { stdout: "pipe", stderr: "pipe" });
  if ((await child.exited) !== 0) throw new Error(`${command.join(" ")}: ${await new Response(child.stderr).text()}`);
}

function idOf(flag: "-u" | "-g", user: string): number {
  return Number(Bun.spawnSync(["id", flag, user]).stdout.toString().trim());
}
const uidOf = (user: string) => idOf("-u", user);
const gidOf = (user: string) => idOf("-g", user);

/**
 * A child's stdout as JSON lines, read as they come, so that the child never blocks on a full
 * pipe; each call answers the next line.
 */
export function jsonLines(stream: ReadableStream<Uint8Array>): () => Promise<Record<string, unknown>> {
  const lines: string[] = [];
  let ended = false;
  let wake = () => {};
  void (async () => {
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of stream) {
      const complete = (text += decoder.decode(chunk, { stream: true })).split("\n");
      text = complete.pop()!;
      lines.push(...complete);
      wake();
    }
    ended = true;
    wake();
  })();
  return async () => {
    while (lines.length === 0) {
      if (ended) throw new Error("the process ended its output");
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return JSON.parse(lines.shift()!);
  };
}
