// One process per data folder: two PGlite instances on the same files would corrupt them.
// The lock is a listening unix socket, which the kernel closes when its process dies, however
// it dies; a lock file would outlive a SIGKILL and block every restart after one.

import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../config";

export interface DataDirLock {
  release(): void;
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = socketPathIn(dataDir, ".lock");
  const server = createServer((connection) => connection.destroy());
  try {
    await listen(server, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    if (await answers(path)) throw new ConfigError(`DATA_DIR ${dataDir} is in use by another process`);
    rmSync(path, { force: true }); // left by a process that is gone
    await listen(server, path);
  }
  return { release: () => server.close() };
}

/** A unix socket path for `name` in `dataDir`, or in the temp folder if that would be too long. */
export function socketPathIn(dataDir: string, name: string): string {
  const beside = join(dataDir, name);
  if (Buffer.byteLength(beside) <= 100) return beside; // the limit is 107 bytes
  const hash = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return join(tmpdir(), `chatloop-${hash}${name}`);
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code !== "ECONNREFUSED"));
  });
}
