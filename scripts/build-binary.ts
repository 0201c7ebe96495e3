// `npm run build`: ChatLoop as one executable, dist/chatloop, that needs nothing beside it
// (migrations and PGlite's files are embedded; see src/db/). `bun build --compile`, called
// through Bun.build so that the smoke test builds with exactly these options.
import { rmSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");

// glibc x64 Linux (the runtime's own build, so nothing is downloaded). The musl build also
// compiles, but needs Alpine's musl and libstdc++ to run.
const BINARY_TARGET = "bun-linux-x64";

export async function buildBinary(outfile: string): Promise<void> {
  const result = await Bun.build({
    entrypoints: [join(ROOT, "src/main.ts")],
    compile: {
      target: BINARY_TARGET,
      outfile,
      // Its behaviour comes from the environment only, not from a bunfig.toml in the folder
      // it happens to be started in.
      autoloadBunfig: false,
    },
    sourcemap: "linked", // stack traces name our source files
  });
  if (!result.success) throw new AggregateError(result.logs, "bun build --compile failed");
  rmSync(`${outfile}.map`, { force: true }); // the executable carries its own copy
}

if (import.meta.main) {
  const outfile = process.argv[2] ?? join(ROOT, "dist/chatloop");
  await buildBinary(outfile);
  console.log(outfile);
}
