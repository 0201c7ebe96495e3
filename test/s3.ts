// A real S3-protocol server for a test file, and the upload storage that points at it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UploadsConfig } from "../src/config";

export interface S3Server {
  storage: UploadsConfig["storage"];
  stop(): Promise<void>;
}

export async function startS3(): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), "chatloop-s3-"));
  const child = Bun.spawn(["node", join(import.meta.dir, "s3-server.mjs"), dir], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  let printed = "";
  while (!printed.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("s3rver exited before it listened");
    printed += new TextDecoder().decode(value);
  }
  const port = Number(printed.trim());
  return {
    storage: { kind: "s3", bucket: "chatloop", endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    async stop() {
      child.stdin.end();
      await child.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
