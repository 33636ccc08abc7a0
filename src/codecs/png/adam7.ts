/**
 * Adam7 (spec §8.2): seven passes, each a sub-image of every 8th/4th/2nd
 * pixel. No full row exists before the last pass, so interlaced files are
 * gathered into one packed image first (height × packed row bytes, at the
 * file's bit depth: a quarter of RGBA for 8-bit RGB… far less for 1-bit).
 */

/** [x0, y0, dx, dy] per pass. */
const PASSES = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
}

/** The passes that hold pixels for a width × height image (small images skip some). */
export function passes(width: number, height: number): Pass[] {
  return PASSES.map(([x0, y0, dx, dy]) => ({
    x0,
    y0,
    dx,
    dy,
    width: Math.ceil((width - x0) / dx),
    height: Math.ceil((height - y0) / dy),
  })).filter((p) => p.width > 0 && p.height > 0);
}

/** Copies one unfiltered pass row into its places in the packed image (`stride` bytes per full row). */
export function scatter(row: Uint8Array, pass: Pass, passY: number, image: Uint8Array, stride: number, bitsPerPixel: number): void {
  const y = pass.y0 + passY * pass.dy;
  const base = y * stride;
  if (bitsPerPixel >= 8) {
    const bpp = bitsPerPixel >> 3;
    for (let x = 0, from = 0; x < pass.width; x++, from += bpp) {
      const to = base + (pass.x0 + x * pass.dx) * bpp;
      for (let k = 0; k < bpp; k++) image[to + k] = row[from + k]!;
    }
    return;
  }
  const mask = (1 << bitsPerPixel) - 1;
  for (let x = 0; x < pass.width; x++) {
    const fromBit = x * bitsPerPixel;
    const value = (row[fromBit >> 3]! >> (8 - bitsPerPixel - (fromBit & 7))) & mask;
    const toBit = (pass.x0 + x * pass.dx) * bitsPerPixel;
    const shift = 8 - bitsPerPixel - (toBit & 7);
    const at = base + (toBit >> 3);
    image[at] = (image[at]! & ~(mask << shift)) | (value << shift);
  }
}
