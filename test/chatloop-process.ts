// ChatLoop as a process of its own, from source or as the compiled binary: a test can kill it
// outright, read its memory, and see how it ended, as an operator would.
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../src/config";
import { jsonLines } from "./services";

/** How a process ended: its exit code, or the signal that ended it. */
export type ExitCode = number | NodeJS.Signals;

/** Longer than ChatLoop's own 10 s deadline for a stop, so that a SIGKILL means it missed it. */
const TERMINATE_WITHIN_MS = 15_000;

/** `command` run in `cwd` with `env` and nothing else, its output read as it comes. */
export class ChatLoopProcess {
  private child?: Bun.Subprocess<"ignore", "pipe", "pipe">;
  private stderrRead = Promise.resolve();
  /** Where it listens, once started: its URL without the trailing slash, and its port. */
  base = "";
  port = 0;
  /** What the process wrote to stderr, its warnings and errors: all of it once kill() or terminate() has resolved. */
  stderr = "";

  constructor(
    private readonly command: string[],
    private readonly launch: { cwd: string; env: Record<string, string | undefined> },
  ) {}

  /** Starts it; resolves once the first line of its log says where it listens. */
  async start(): Promise<this> {
    const child = this.spawn();
    const started = await jsonLines(child.stdout)().catch(async (error: Error) => {
      await this.kill();
      throw new Error(`ChatLoop did not start (${error.message}): ${this.stderr}`);
    });
    const url = new URL(String(started.url));
    this.base = url.href.replace(/\/$/, "");
    this.port = Number(url.port);
    return this;
  }

  /** Runs it to its end (a refusal to start, a healthcheck): how it ended, and all it wrote. */
  async runToExit(): Promise<{ exitCode: ExitCode; stdout: string; stderr: string }> {
    const child = this.spawn();
    const stdout = await new Response(child.stdout).text();
    await Promise.all([child.exited, this.stderrRead]);
    return { exitCode: this.exitCode!, stdout, stderr: this.stderr };
  }

  get pid(): number {
    return this.child!.pid;
  }

  /** null while the process runs (or before it starts). */
  get exitCode(): ExitCode | null {
    return this.child?.exitCode ?? this.child?.signalCode ?? null;
  }

  /** Resident memory in bytes. */
  rss(): number {
    return residentBytes(this.pid);
  }

  /** SIGKILL, as by the OOM killer; resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.exitCode === null) this.child?.kill("SIGKILL");
    await Promise.all([this.child?.exited, this.stderrRead]);
  }

  /**
   * SIGTERM, as an orchestrator stops it; SIGKILL if it still runs `withinMs` later, so that a
   * stop that hangs fails the test instead of outliving it. Resolves to how it ended.
   */
  async terminate(withinMs = TERMINATE_WITHIN_MS): Promise<ExitCode | null> {
    if (this.child && this.exitCode === null) {
      this.child.kill("SIGTERM");
      let timer: Timer | undefined;
      await Promise.race([this.child.exited, new Promise((resolve) => (timer = setTimeout(resolve, withinMs)))]);
      clearTimeout(timer);
      await this.kill();
    }
    return this.exitCode;
  }

  private spawn() {
    const child = Bun.spawn(this.command, { ...this.launch, stdout: "pipe", stderr: "pipe" });
    this.child = child;
    this.stderrRead = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) this.stderr += decoder.decode(chunk, { stream: true });
    })();
    return child;
  }
}

/** ChatLoop from source, `bun [flags] src/main.ts`, configured by `config` through its environment. */
export class ChatLoopFromSource extends ChatLoopProcess {
  constructor(
    readonly config: Config,
    bunFlags: string[] = [],
  ) {
    super([process.execPath, ...bunFlags, "src/main.ts"], {
      cwd: join(import.meta.dir, ".."),
      env: { PATH: process.env.PATH, ...environmentOf(config), PORT: "0", DATA_DIR: config.dataDir || tmpdir() },
    });
  }
}

/** Resident memory of a running process, in bytes (from /proc, so Linux only). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

/** The environment that `loadConfig` reads back as `config` (what a process of it needs). */
function environmentOf(config: Config): Record<string, string | undefined> {
  const rate = ({ max, windowMs }: { max: number; windowMs: number }) => `${max}/${Math.ceil(windowMs / 1000)}`;
  return {
    HOST: config.host,
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    REDIS_PREFIX: config.redisPrefix,
    JWT_SECRET: config.jwtSecret,
    TOKEN_TTL_SECONDS: String(config.tokenTtlSeconds),
    MAX_MESSAGE_LENGTH: String(config.maxMessageLength),
    MAX_BODY_BYTES: String(config.maxBodyBytes),
    TRUST_PROXY: String(config.trustProxy),
    LIMIT_LOGIN_PER_ACCOUNT: rate(config.limits.loginPerAccount),
    LIMIT_LOGIN_PER_ADDRESS: rate(config.limits.loginPerAddress),
    LIMIT_REGISTER_PER_ADDRESS: rate(config.limits.registerPerAddress),
    LIMIT_MESSAGES_PER_USER: rate(config.limits.messagesPerUser),
    MAX_CONNECTIONS_PER_USER: String(config.maxConnectionsPerUser),
    REGISTRATION: config.registration,
    PUBLIC_URL: config.publicUrl,
    METRICS_TOKEN: config.metricsToken,
    WEBHOOK_ALLOW_PRIVATE: String(config.bots.allowPrivate),
    LINK_PREVIEWS: String(config.linkPreviews),
  };
}
