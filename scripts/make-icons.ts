// Draws ChatLoop's icons into public/ as PNG: a white speech bubble holding a loop, on the
// blue of the UI's accents. Run it again after changing the drawing, and commit the files:
// `bun scripts/make-icons.ts`. No image library: each pixel is the share of its area the shapes
// cover (sampled on a grid), written with node:zlib.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";

const BLUE = [0x1d, 0x4e, 0xd8]; // Tailwind's blue-700
const WHITE = [0xff, 0xff, 0xff];
/** Samples per pixel along each side: 16 shades of edge, enough for smooth curves. */
const GRID = 4;

type Shape = (x: number, y: number) => boolean;

const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const triangle =
  (points: [number, number][]): Shape =>
  (x, y) => {
    const sides = points.map(([ax, ay], i) => {
      const [bx, by] = points[(i + 1) % 3]!;
      return (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    });
    return sides.every((side) => side >= 0) || sides.every((side) => side <= 0);
  };
const roundedSquare =
  (radius: number): Shape =>
  (x, y) => {
    const dx = Math.max(radius - x, x - (1 - radius), 0);
    const dy = Math.max(radius - y, y - (1 - radius), 0);
    return dx * dx + dy * dy <= radius * radius;
  };

// The glyph, in a unit square; it stays within the circle of radius 0.4 around the centre that
// a maskable icon keeps whatever mask the platform cuts it with.
const bubble: Shape = (x, y) =>
  circle(0.5, 0.46, 0.27)(x, y) ||
  triangle([
    [0.31, 0.6],
    [0.26, 0.8],
    [0.5, 0.7],
  ])(x, y);
const loop: Shape = (x, y) => circle(0.5, 0.46, 0.13)(x, y) && !circle(0.5, 0.46, 0.07)(x, y);

/** The colour at a point, or undefined where the icon is transparent. */
type Paint = (x: number, y: number) => number[] | undefined;

function glyphOn(background: Shape): Paint {
  return (x, y) => (!background(x, y) ? undefined : bubble(x, y) && !loop(x, y) ? WHITE : BLUE);
}

function render(size: number, paint: Paint): Buffer {
  const rows: Buffer[] = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0: none
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < GRID; sy++) {
        for (let sx = 0; sx < GRID; sx++) {
          const colour = paint((px + (sx + 0.5) / GRID) / size, (py + (sy + 0.5) / GRID) / size);
          if (!colour) continue;
          colour.forEach((value, i) => (sum[i]! += value));
          sum[3]! += 255;
        }
      }
      const covered = sum[3]! / 255;
      // Colour averaged over the covered samples only, so that edges fade in alpha, not into black.
      const pixel = covered === 0 ? [0, 0, 0, 0] : [...sum.slice(0, 3).map((value) => Math.round(value / covered)), Math.round(sum[3]! / GRID ** 2)];
      row.set(pixel, 1 + px * 4);
    }
    rows.push(row);
  }
  return png(size, Buffer.concat(rows));
}

function png(size: number, scanlines: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter choice, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(scanlines, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}

const everywhere: Shape = () => true;
const ICONS: [file: string, size: number, paint: Paint][] = [
  ["icon-192.png", 192, glyphOn(roundedSquare(0.22))],
  ["icon-512.png", 512, glyphOn(roundedSquare(0.22))],
  // The platform cuts its own shape out of these: they fill the square.
  ["icon-maskable-512.png", 512, glyphOn(everywhere)],
  ["apple-touch-icon.png", 180, glyphOn(everywhere)],
];

for (const [file, size, paint] of ICONS) writeFileSync(join(import.meta.dir, "../public", file), render(size, paint));
