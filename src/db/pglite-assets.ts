// PGlite finds its WebAssembly, its file-system bundle and its extensions beside its own
// module, and a compiled binary has nothing beside its modules. Imported as files, they are
// embedded by `bun build --compile` (and are plain paths in development), and PGlite gets them
// from here in both. They are not in the package's exports map, hence the path into node_modules.

import { existsSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { PGliteOptions } from "@electric-sql/pglite";
import initdbWasm from "../../node_modules/@electric-sql/pglite/dist/initdb.wasm" with { type: "file" };
// pg_trgm (search by part of a word, migrations/0008_search.sql). The package's own
// `@electric-sql/pglite/contrib/pg_trgm` points at this file relative to its module, which a
// binary does not have; PGlite takes the bundle's URL as the extension just as well.
import pgTrgmBundle from "../../node_modules/@electric-sql/pglite/dist/pg_trgm.tar.gz" with { type: "file" };
import fsBundle from "../../node_modules/@electric-sql/pglite/dist/pglite.data" with { type: "file" };
import pgliteWasm from "../../node_modules/@electric-sql/pglite/dist/pglite.wasm" with { type: "file" };

type PGliteAssets = Required<Pick<PGliteOptions, "pgliteWasmModule" | "initdbWasmModule" | "fsBundle" | "extensions">>;

// Compiled once per process: every embedded database in it (tests start many) shares them.
let assets: Promise<PGliteAssets> | undefined;

export function pgliteAssets(): Promise<PGliteAssets> {
  assets ??= (async () => {
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all([compile(pgliteWasm), compile(initdbWasm)]);
    return { pgliteWasmModule, initdbWasmModule, fsBundle: Bun.file(fsBundle), extensions: { pg_trgm: await outside(pgTrgmBundle, "pg_trgm.tar.gz") } };
  })();
  return assets;
}

/**
 * PGlite reads an extension's bundle with node:fs streams, which cannot open a file embedded in
 * the binary (Bun.file can): it reads a copy in the temporary folder. The copy is named after its
 * content, so every process of one version shares it (15 KB, left there), and is written whole
 * under another name first, so that no process ever reads half of one.
 */
async function outside(path: string, name: string): Promise<URL> {
  const bytes = await Bun.file(path).bytes();
  const copy = join(tmpdir(), `chatloop-${Bun.hash(bytes).toString(16)}-${name}`);
  if (!existsSync(copy)) {
    const partial = `${copy}.${process.pid}.partial`;
    await Bun.write(partial, bytes);
    renameSync(partial, copy);
  }
  return pathToFileURL(copy);
}

async function compile(path: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await Bun.file(path).arrayBuffer());
}
