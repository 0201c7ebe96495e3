// The embedded default: PGlite (PostgreSQL compiled to WebAssembly) keeps its files in a
// local folder and speaks the wire protocol on a unix socket, so the one `postgres` driver
// and the one set of SQL serve both modes.

import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { lockDataDir, socketPathIn } from "./data-dir-lock";
import { pgliteAssets } from "./pglite-assets";

export interface EmbeddedPostgres {
  socketPath: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dbDir = join(dataDir, "pg");
  mkdirSync(dbDir, { recursive: true });
  const lock = await lockDataDir(dataDir);
  try {
    const db = await PGlite.create({ dataDir: dbDir, ...(await pgliteAssets()) });
    const socketPath = socketPathIn(dataDir, ".s.PGSQL");
    rmSync(socketPath, { force: true }); // a killed process's; the lock says it is gone
    const server = new PGLiteSocketServer({ db, path: socketPath });
    await server.start();
    return {
      socketPath,
      async stop() {
        await server.stop();
        await db.close();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
