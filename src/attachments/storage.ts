// Where uploaded bytes live: a folder of this instance (DATA_DIR/uploads), or an S3-compatible
// bucket through Bun's own S3 client, which every instance shares. Keys are ours (ids), never
// a name from a client, so they cannot climb out of the folder.
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { UploadsConfig } from "../config";

export interface FileStorage {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The bytes as a body for a Response, or null when there is no such file. */
  get(key: string): Promise<ReadableStream | Blob | null>;
  /** Removes the file; one that is already gone is no error. */
  delete(key: string): Promise<void>;
}

export function openStorage(storage: UploadsConfig["storage"]): FileStorage {
  return storage.kind === "disk" ? diskStorage(storage.dir) : s3Storage(storage);
}

function diskStorage(dir: string): FileStorage {
  const path = (key: string) => join(dir, key);
  return {
    async put(key, bytes) {
      await mkdir(dirname(path(key)), { recursive: true });
      await Bun.write(path(key), bytes);
    },
    async get(key) {
      const file = Bun.file(path(key));
      return (await file.exists()) ? file : null;
    },
    async delete(key) {
      await rm(path(key), { force: true });
    },
  };
}

function s3Storage({ bucket, endpoint, region, accessKeyId, secretAccessKey }: Extract<UploadsConfig["storage"], { kind: "s3" }>): FileStorage {
  const s3 = new Bun.S3Client({ bucket, endpoint, region, accessKeyId, secretAccessKey });
  return {
    async put(key, bytes, contentType) {
      await s3.write(key, bytes, { type: contentType });
    },
    async get(key) {
      const file = s3.file(key);
      // Streamed through us, not redirected to a presigned URL: the room's permissions and our
      // headers (nosniff, the CSP) must hold for every read.
      return (await file.exists()) ? file.stream() : null;
    },
    async delete(key) {
      await s3.delete(key);
    },
  };
}
