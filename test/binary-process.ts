// Runs a compiled ChatLoop the way an operator would: the executable alone in a folder, with
// no node_modules, no repository and only the environment it is given.
import { chmodSync, copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunningBinary {
  url: string;
  pid: number;
  /** Milliseconds from exec to the first 200 from /readyz. */
  readyMs: number;
  exited: Promise<number>;
  /** Everything it wrote to stderr, once it has exited. */
  stderr: Promise<string>;
  kill(signal: NodeJS.Signals): void;
}

/** An empty folder holding only a copy of `binary`; returns the copy's path. */
export function aloneInAFolder(binary: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), "chatloop-binary-")), "chatloop");
  copyFileSync(binary, copy);
  chmodSync(copy, 0o755);
  return copy;
}

/** A bare environment: no PATH into node_modules, no HOME, no service URLs. */
export function bareEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: "/usr/bin:/bin", ...env };
}

/**
 * Starts `command` (the binary, or a wrapper that execs it) with cwd `dir` and PORT=0;
 * resolves once it has said where it listens and /readyz answers 200.
 */
export async function runBinary(command: string | string[], dir: string, env: Record<string, string>): Promise<RunningBinary> {
  const started = performance.now();
  const child = Bun.spawn([command].flat(), { cwd: dir, env: bareEnv({ HOST: "127.0.0.1", PORT: "0", ...env }), stdout: "pipe", stderr: "pipe" });
  const stderr = new Response(child.stderr).text();
  try {
    const url = await startedUrl(child.stdout);
    while ((await fetch(new URL("/readyz", url))).status !== 200) await Bun.sleep(10);
    return {
      url,
      pid: child.pid,
      readyMs: performance.now() - started,
      exited: child.exited,
      stderr,
      kill: (signal) => child.kill(signal),
    };
  } catch (error) {
    child.kill("SIGKILL");
    await child.exited;
    throw new Error(`the binary did not start: ${error}\n${await stderr}`);
  }
}

/** Reads the log until its `started` line, then keeps draining it so the pipe never fills. */
async function startedUrl(stdout: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`it exited before logging "started"; stdout: ${text}`);
    text += decoder.decode(value, { stream: true });
    const started = text.split("\n").find((line) => line.includes('"event":"started"'));
    if (started) {
      void (async () => { while (!(await reader.read()).done); })();
      return JSON.parse(started).url;
    }
  }
}

/** Resident memory of a running process, in MiB (from /proc, so Linux only). */
export async function residentMiB(pid: number): Promise<number> {
  return Math.round((await residentKiB(pid)) / 1024);
}

/** Resident memory of a running process, in KiB (from /proc, so Linux only). */
export async function residentKiB(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  return Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1]);
}
