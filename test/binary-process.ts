// Runs a compiled ChatLoop the way an operator would: the executable alone in a folder, with
// no node_modules, no repository and only the environment it is given.
import { chmodSync, copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatLoopProcess } from "./chatloop-process";

/** A started binary that /readyz says is ready. */
export type RunningBinary = ChatLoopProcess & {
  /** Milliseconds from exec to the first 200 from /readyz. */
  readyMs: number;
};

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
  const binary = await new ChatLoopProcess([command].flat(), { cwd: dir, env: bareEnv({ HOST: "127.0.0.1", PORT: "0", ...env }) }).start();
  try {
    while ((await fetch(`${binary.base}/readyz`)).status !== 200) await Bun.sleep(10);
  } catch (error) {
    await binary.kill();
    throw new Error(`the binary did not become ready: ${error}\n${binary.stderr}`);
  }
  return Object.assign(binary, { readyMs: performance.now() - started });
}
