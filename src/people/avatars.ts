// Avatars: everyone has one. Until they upload a picture it is their initials on a colour of
// their own (an SVG we draw, so nothing uploaded is ever an SVG shown inline); an upload is
// cropped to a square and stored like attachments. The URL never changes: it is revalidated.

import { sniffImage, squareAvatar } from "../attachments/images";
import type { FileStorage } from "../attachments/storage";
import type { Sql } from "../db/sql";
import { badRequest, notFound } from "../errors";

/** Uploaded avatars are cropped to a square this many pixels wide. */
export const AVATAR_SIZE = 256;

export const avatarUrl = (userId: string) => `/users/${userId}/avatar`;

export interface AvatarDeps {
  sql: Sql;
  storage: FileStorage;
}

/** Takes an image as the user's avatar; the one before it is removed. Anything but a PNG, JPEG, GIF or WebP is refused. */
export async function setAvatar(deps: AvatarDeps, userId: string, file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = sniffImage(bytes);
  if (!type) throw badRequest("not_an_image", "an avatar must be a PNG, JPEG, GIF or WebP image");
  // Without sharp (the compiled binary) the picture is kept as it came; the page scales it.
  const square = (await squareAvatar(bytes, AVATAR_SIZE)) ?? { bytes, type };
  // The type travels in the key: a file read back from disk or S3 does not say it.
  const key = `avatars/${userId}/${crypto.randomUUID()}.${square.type.slice("image/".length)}`;
  await deps.storage.put(key, square.bytes, square.type);
  const [row] = await deps.sql<{ previous: string | null }[]>`
    update users u set avatar_key = ${key} from (select avatar_key as previous from users where id = ${userId} for update) p
    where u.id = ${userId} returning p.previous`;
  if (row?.previous) await deps.storage.delete(row.previous).catch(() => {}); // an orphan at worst
}

export interface Avatar {
  body: ReadableStream | Blob | string;
  contentType: string;
  /** Changes when the avatar does: the browser revalidates with it. */
  etag: string;
}

/** The user's uploaded avatar, or their initials. Not found for an unknown user. */
export async function readAvatar(deps: AvatarDeps, userId: string): Promise<Avatar> {
  const [user] = await deps.sql<{ username: string; avatar_key: string | null }[]>`select username, avatar_key from users where id = ${userId}`;
  if (!user) throw notFound("user_not_found", "no such user");
  if (user.avatar_key) {
    const body = await deps.storage.get(user.avatar_key);
    const [id, extension] = user.avatar_key.split("/").at(-1)!.split(".");
    if (body) return { body, contentType: `image/${extension}`, etag: `"${id}"` };
  }
  return { body: initialsSvg(user.username, userId), contentType: "image/svg+xml", etag: `"initials-${user.username}"` };
}

/** Up to two letters of the name, white on a hue taken from the user's id, dark enough for white text. */
export function initialsSvg(username: string, userId: string): string {
  const parts = username.split(/[._-]+/).filter(Boolean);
  const letters = (parts.length > 1 ? parts[0]![0]! + parts[1]![0]! : username.slice(0, 2)).toUpperCase();
  const hue = parseInt(userId.replaceAll("-", "").slice(0, 6), 16) % 360;
  // The letters are from a username: letters, digits, '_', '.', '-', nothing to escape.
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><rect width="64" height="64" fill="hsl(${hue} 55% 35%)"/><text x="32" y="32" dy=".35em" text-anchor="middle" font-family="system-ui, sans-serif" font-size="26" font-weight="600" fill="#fff">${letters}</text></svg>`;
}
