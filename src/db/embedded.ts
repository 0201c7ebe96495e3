// The embedded default: PGlite (PostgreSQL compiled to WebAssembly) keeps its files in a
// local folder and speaks the wire protocol on a unix socket, so the one `postgres` driver
// and the one set of SQL serve both modes.
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { mkdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pgliteAssets } from "./pglite-assets";

export interface EmbeddedPostgres {
  socketPath: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dbDir = join(dataDir, "pg");
  mkdirSync(dbDir, { recursive: true });
  const db = await PGlite.create({ dataDir: dbDir, ...(await pgliteAssets()) });
  const socketPath = socketPathFor(dataDir);
  const server = new PGLiteSocketServer({ db, path: socketPath });
  await server.start();
  return {
    socketPath,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

// Unix socket paths are limited to 107 bytes; a deep data folder gets one in the temp folder.
function socketPathFor(dataDir: string): string {
  const beside = join(dataDir, ".s.PGSQL");
  if (Buffer.byteLength(beside) <= 100) return beside;
  const hash = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return join(tmpdir(), `chatloop-${hash}.sock`);
}
