// What an uploaded file is, from its bytes: a client's Content-Type is never trusted to decide
// what a browser renders inline. Sizes and previews come from sharp (libvips), loaded on first
// use; where its native module cannot load (the compiled binary cannot embed it), images keep
// working without size or preview.
import { log } from "../log";

/** The image types shown inline, by their first bytes. SVG is not one: it can carry script. */
const SIGNATURES: { type: string; matches: (b: Uint8Array) => boolean }[] = [
  { type: "image/png", matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: "image/jpeg", matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  { type: "image/gif", matches: (b) => startsWith(b, [0x47, 0x49, 0x46, 0x38]) && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61 },
  { type: "image/webp", matches: (b) => startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b.subarray(8), [0x57, 0x45, 0x42, 0x50]) },
];

export const INLINE_IMAGE_TYPES = new Set(SIGNATURES.map((s) => s.type));

const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((byte, i) => bytes[i] === byte);

/** The image type the bytes are, or null for anything else. */
export function sniffImage(bytes: Uint8Array): string | null {
  return SIGNATURES.find((s) => s.matches(bytes))?.type ?? null;
}

/** Previews are at most this wide, in pixels. */
export const THUMB_WIDTH = 400;
/** An image larger than this many pixels is not decoded at all (a decompression bomb). */
const MAX_PIXELS = 100_000_000;

type Sharp = typeof import("sharp").default;
let sharpLoading: Promise<Sharp | null> | undefined;

/** sharp, or null where its native module cannot load; asked once per process. */
export function loadSharp(): Promise<Sharp | null> {
  sharpLoading ??= import("sharp").then<Sharp | null, null>(
    (module) => module.default,
    (error) => {
      log.warn("images_without_sharp", { error: String(error).split("\n")[0] });
      return null;
    },
  );
  return sharpLoading;
}

export interface ImageFacts {
  width: number | null;
  height: number | null;
  /** A WebP at most THUMB_WIDTH wide, when the image is wider than that. */
  thumb: Uint8Array | null;
}

const NOTHING: ImageFacts = { width: null, height: null, thumb: null };

/** The image's size and preview; nothing when sharp is missing or cannot read the bytes. */
export async function describeImage(bytes: Uint8Array): Promise<ImageFacts> {
  const sharp = await loadSharp();
  if (!sharp) return NOTHING;
  try {
    const image = sharp(bytes, { limitInputPixels: MAX_PIXELS });
    const { width, height, orientation } = await image.metadata();
    // EXIF orientations 5-8 turn the picture a quarter: the shown width is the stored height.
    const [shownWidth, shownHeight] = orientation && orientation >= 5 ? [height, width] : [width, height];
    const thumb = shownWidth > THUMB_WIDTH ? await image.rotate().resize({ width: THUMB_WIDTH }).webp().toBuffer() : null;
    return { width: shownWidth, height: shownHeight, thumb };
  } catch (error) {
    log.warn("image_unreadable", { error: String(error) });
    return NOTHING;
  }
}

/** An avatar: the image cropped to a square of `size` px, as WebP; the bytes as they are without sharp. */
export async function squareAvatar(bytes: Uint8Array, size: number): Promise<{ bytes: Uint8Array; type: string } | null> {
  const sharp = await loadSharp();
  if (!sharp) return null;
  try {
    const square = await sharp(bytes, { limitInputPixels: MAX_PIXELS }).rotate().resize(size, size, { fit: "cover" }).webp().toBuffer();
    return { bytes: square, type: "image/webp" };
  } catch {
    return null;
  }
}
