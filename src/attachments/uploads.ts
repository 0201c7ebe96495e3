// Uploads: a member's file, stored before any message names it, then claimed by a send in the
// send's own statement (src/messages/store.ts). Served only to those who may read the room;
// the uploader alone sees an upload not attached yet. Never attached, it goes after a day.
import type { Queries, Sql } from "../db/sql";
import { AppError, badRequest, notFound } from "../errors";
import { log } from "../log";
import { findVisibleRoom, requireMember } from "../rooms/rooms";
import { longerThan } from "../text";
import { describeImage, INLINE_IMAGE_TYPES, sniffImage } from "./images";
import type { Attachment, Upload } from "./schemas";
import type { FileStorage } from "./storage";

export interface UploadDeps {
  sql: Sql;
  storage: FileStorage;
}

export const attachmentUrl = (id: string) => `/attachments/${id}`;

/** Checked before the body is read, so that an outsider's upload costs nothing. */
export const mayUpload = (sql: Sql, userId: string, roomId: string) => requireMember(sql, userId, roomId);

export function tooLarge(maxBytes: number): AppError {
  return new AppError(413, "file_too_large", `the file must be at most ${maxBytes} bytes`);
}

// A name is shown to others and offered when they download: one that is a path (a client that
// sent its folders along) or carries control characters is refused rather than guessed at.
function checkFileName(name: string): string {
  if (!name || name === "." || name === ".." || /[/\\\p{Cc}]/u.test(name) || longerThan(name, 255) || !name.isWellFormed()) {
    throw badRequest("invalid_file_name", "the file name must be 1-255 characters without '/', '\\' or control characters, not '.' or '..'");
  }
  return name;
}

// A type as a browser might read it ("type/subtype"), kept only to describe a download.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** What the file is: its bytes say so for the images shown inline; nothing else is believed to be one. */
function contentTypeOf(bytes: Uint8Array, declared: string): string {
  const image = sniffImage(bytes);
  if (image) return image;
  const type = declared.split(";")[0]!.trim().toLowerCase();
  return MEDIA_TYPE.test(type) && !INLINE_IMAGE_TYPES.has(type) ? type : "application/octet-stream";
}

export async function saveUpload(deps: UploadDeps, uploaderId: string, roomId: string, file: File): Promise<Upload> {
  const name = checkFileName(file.name);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const contentType = contentTypeOf(bytes, file.type);
  const image = INLINE_IMAGE_TYPES.has(contentType) ? await describeImage(bytes) : { width: null, height: null, thumb: null };

  const id = crypto.randomUUID();
  const storageKey = `attachments/${roomId}/${id}`;
  const thumbKey = image.thumb ? `${storageKey}.thumb` : null;
  await deps.storage.put(storageKey, bytes, contentType);
  if (thumbKey) await deps.storage.put(thumbKey, image.thumb!, "image/webp");
  try {
    await deps.sql`
      insert into attachments (id, room_id, uploader_id, name, size, content_type, width, height, storage_key, thumb_key)
      values (${id}, ${roomId}, ${uploaderId}, ${name}, ${bytes.length}, ${contentType}, ${image.width}, ${image.height}, ${storageKey}, ${thumbKey})`;
  } catch (error) {
    await removeFiles(deps.storage, [{ storage_key: storageKey, thumb_key: thumbKey }]);
    throw error;
  }
  return { id, name, size: bytes.length, contentType, url: attachmentUrl(id) };
}

/** An attachment as a message carries it; `row` as its JSON is built in SQL (attachmentsOf). */
export const toAttachment = (row: Omit<Attachment, "url">): Attachment => ({ ...row, url: attachmentUrl(row.id) });

/**
 * The attachments of messages `m`, as a JSON array in the order the sender gave them: none once
 * the message is deleted. `claimedNow`, an array of their ids, names them instead where the
 * message has only just claimed them (the statement's snapshot does not show the claim yet); as
 * an expression (`(select ...)::uuid[]`), since `any ((select ...))` would read it as a subquery.
 */
export const attachmentsOf = (sql: Queries, claimedNow?: ReturnType<Queries>) => sql`coalesce((
  select json_agg(json_build_object('id', a.id, 'name', a.name, 'size', a.size, 'contentType', a.content_type, 'width', a.width, 'height', a.height)
                  order by ${claimedNow ? sql`array_position(${claimedNow}, a.id)` : sql`a.position`}, a.id)
  from attachments a where ${claimedNow ? sql`a.id = any(${claimedNow})` : sql`a.message_id = m.id`} and m.deleted_at is null
), '[]')`;

export interface StoredFile {
  name: string;
  contentType: string;
  body: ReadableStream | Blob;
  /** Whether it may be shown inline: an image we recognised from its bytes. */
  inline: boolean;
}

/**
 * The file, or its preview, for someone who may read its room. A private room's file is not
 * found by outsiders, like the room; an upload not attached yet, or whose message was deleted,
 * is found by its uploader alone, or by no one.
 */
export async function readAttachment(deps: UploadDeps, userId: string, attachmentId: string, thumb: boolean): Promise<StoredFile> {
  const [row] = await deps.sql<{ room_id: string; uploader_id: string; name: string; content_type: string; storage_key: string; thumb_key: string | null; visible: boolean }[]>`
    select a.room_id, a.uploader_id, a.name, a.content_type, a.storage_key, a.thumb_key,
           coalesce((select m.deleted_at is null from messages m where m.id = a.message_id), a.uploader_id = ${userId}) as visible
    from attachments a where a.id = ${attachmentId}`;
  const missing = () => notFound("attachment_not_found", "no such attachment");
  if (!row || !row.visible) throw missing();
  await findVisibleRoom(deps.sql, userId, row.room_id).catch(() => {
    throw missing();
  });
  const inline = INLINE_IMAGE_TYPES.has(row.content_type);
  // An image narrow enough is its own preview; so is one whose preview could not be made.
  const usePreview = thumb && inline && row.thumb_key !== null;
  const body = await deps.storage.get(usePreview ? row.thumb_key! : row.storage_key);
  if (!body) throw missing();
  return { name: row.name, contentType: usePreview ? "image/webp" : row.content_type, body, inline };
}

/** How long an upload may wait for a message before the sweeper removes it. */
export const UNATTACHED_TTL_MS = 24 * 3600 * 1000;
/** Uploads removed per statement: each sweep takes few row locks at a time. */
const SWEEP_BATCH = 100;

/**
 * Removes the uploads nobody needs any more: those never attached that are older than
 * `olderThanMs`, and those of deleted messages (which show none: a deleted file must not stay
 * in the storage). Safe on several instances at once: each row is deleted by exactly one of
 * them (skip locked), and only then its files. Answers how many went.
 */
export async function sweepUploads(deps: Pick<UploadDeps, "sql" | "storage">, olderThanMs = UNATTACHED_TTL_MS): Promise<number> {
  const unattached = deps.sql`
    select id from attachments
    where message_id is null and created_at < now() - make_interval(secs => ${olderThanMs / 1000})
    order by created_at limit ${SWEEP_BATCH} for update skip locked`;
  // Deleted messages are few, and an index holds just them (migration 0006).
  const ofDeleted = deps.sql`
    select a.id from messages m join attachments a on a.message_id = m.id
    where m.deleted_at is not null
    limit ${SWEEP_BATCH} for update of a skip locked`;
  let removed = 0;
  for (const batch of [unattached, ofDeleted]) {
    for (;;) {
      const rows = await deps.sql<{ storage_key: string; thumb_key: string | null }[]>`
        delete from attachments where id in (${batch}) returning storage_key, thumb_key`;
      await removeFiles(deps.storage, rows);
      removed += rows.length;
      if (rows.length < SWEEP_BATCH) break;
    }
  }
  return removed;
}

async function removeFiles(storage: FileStorage, rows: { storage_key: string; thumb_key: string | null }[]): Promise<void> {
  const keys = rows.flatMap((row) => (row.thumb_key ? [row.storage_key, row.thumb_key] : [row.storage_key]));
  const results = await Promise.allSettled(keys.map((key) => storage.delete(key)));
  const failed = results.filter((result) => result.status === "rejected").length;
  if (failed > 0) log.warn("upload_files_not_removed", { failed });
}

/** Sweeps now and then; stop() ends it. */
export function startSweeper(deps: Pick<UploadDeps, "sql" | "storage">, everyMs: number): { stop(): void } {
  const timer = setInterval(() => {
    sweepUploads(deps).catch((error) => log.warn("upload_sweep_failed", { error: String(error) }));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
