// PGlite finds its WebAssembly and its file-system bundle beside its own module, and a
// compiled binary has nothing beside its modules. Imported as files, they are embedded by
// `bun build --compile` (and are plain paths in development), and PGlite gets them from here
// in both. They are not in the package's exports map, hence the path into node_modules.
import initdbWasm from "../../node_modules/@electric-sql/pglite/dist/initdb.wasm" with { type: "file" };
import fsBundle from "../../node_modules/@electric-sql/pglite/dist/pglite.data" with { type: "file" };
import pgliteWasm from "../../node_modules/@electric-sql/pglite/dist/pglite.wasm" with { type: "file" };
import type { PGliteOptions } from "@electric-sql/pglite";

type PGliteAssets = Required<Pick<PGliteOptions, "pgliteWasmModule" | "initdbWasmModule" | "fsBundle">>;

// Compiled once per process: every embedded database in it (tests start many) shares them.
let assets: Promise<PGliteAssets> | undefined;

export function pgliteAssets(): Promise<PGliteAssets> {
  assets ??= (async () => {
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all([compile(pgliteWasm), compile(initdbWasm)]);
    return { pgliteWasmModule, initdbWasmModule, fsBundle: Bun.file(fsBundle) };
  })();
  return assets;
}

async function compile(path: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await Bun.file(path).arrayBuffer());
}
