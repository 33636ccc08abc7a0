#!/usr/bin/env node
/**
 * Writes test/fixtures/animation-golden/references.json: what sharp
 * (libvips, with its own GIF and WebP loaders) reads from the animated
 * fixtures, outside the code under test — each file's canvas size, frame
 * count, per-frame delays (ms), loop count, and every frame composed (its
 * disposal and blending applied) as { width, height, rgba: base64(zlib(RGBA)) };
 * and of three files made here: the hand-made derived/disposal.gif (below),
 * derived/animated-lossless.webp (rotating-squares.gif as sharp writes it
 * lossless) and derived/dispose-background.webp (animated-loop-3.webp with
 * every frame disposed to background).
 * Run: node scripts/animation-goldens.mjs
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const fixtures = new URL('../test/fixtures/', import.meta.url);

/**
 * GIF LZW that never grows its table: a clear code before every index
 * keeps codes at 3 bits (valid for any decoder, if large).
 */
function lzw(indices) {
  const codes = [...indices.flatMap((i) => [4, i]), 5];
  const bytes = new Uint8Array(Math.ceil((codes.length * 3) / 8));
  codes.forEach((code, n) => {
    for (let bit = 0; bit < 3; bit++) if (code & (1 << bit)) bytes[(n * 3 + bit) >> 3] |= 1 << ((n * 3 + bit) & 7);
  });
  const blocks = [];
  for (let at = 0; at < bytes.length; at += 255) blocks.push(Math.min(255, bytes.length - at), ...bytes.subarray(at, at + 255));
  return [2, ...blocks, 0];
}

const u16 = (n) => [n & 255, n >> 8];

/**
 * test/fixtures/derived/disposal.gif, 8×8 with a 4-colour palette: an
 * interlaced full frame of stripes (kept), a blue square restored to what was
 * under it (disposal 3), a green square with transparent holes cleared to
 * transparency (disposal 2), a red corner, then a blue frame overhanging the
 * right edge (clipped, not wrapped into the next row). Its frames show
 * whether each disposal, the interlacing and the clipping are honoured.
 */
function disposalGif() {
  const frame = ({ x, y, w, h, disposal, transparent, interlaced = false, pixel }) => {
    const rows = interlaced ? [0, 4, 2, 6, 1, 3, 5, 7] : [...Array(h).keys()];
    const indices = rows.flatMap((row) => [...Array(w).keys()].map((col) => pixel(col, row)));
    return [
      0x21, 0xf9, 4, (disposal << 2) | (transparent === undefined ? 0 : 1), ...u16(20), transparent ?? 0, 0,
      0x2c, ...u16(x), ...u16(y), ...u16(w), ...u16(h), interlaced ? 0x40 : 0, ...lzw(indices),
    ];
  };
  return Buffer.from([
    ...Buffer.from('GIF89a'), ...u16(8), ...u16(8), 0x81, 0, 0,
    255, 0, 0, 0, 0, 255, 0, 160, 0, 255, 255, 255, // red, blue, green, white
    0x21, 0xff, 11, ...Buffer.from('NETSCAPE2.0'), 3, 1, 0, 0, 0,
    ...frame({ x: 0, y: 0, w: 8, h: 8, disposal: 1, interlaced: true, pixel: (_, row) => [0, 3, 2, 3][row % 4] }),
    ...frame({ x: 0, y: 0, w: 4, h: 4, disposal: 3, pixel: () => 1 }),
    ...frame({ x: 4, y: 4, w: 4, h: 4, disposal: 2, transparent: 3, pixel: (col, row) => ((col + row) % 2 ? 3 : 2) }),
    ...frame({ x: 0, y: 6, w: 2, h: 2, disposal: 0, pixel: () => 0 }),
    ...frame({ x: 6, y: 0, w: 4, h: 2, disposal: 1, pixel: () => 1 }),
    0x3b,
  ]);
}
await writeFile(new URL('derived/disposal.gif', fixtures), disposalGif());
// libwebp's animation encoder (through sharp) writes lossless VP8L frames as sub-rectangles with blending and disposal.
// animated-loop-3.webp with every frame disposed to background (the ANMF flag's bit 0), which libwebp's encoder
// rarely chooses by itself.
const loop3 = await readFile(new URL('formats/animated-loop-3.webp', fixtures));
for (let at = 12; at + 8 <= loop3.length; at += 8 + loop3.readUInt32LE(at + 4) + (loop3.readUInt32LE(at + 4) & 1)) {
  if (loop3.toString('latin1', at, at + 4) === 'ANMF') loop3[at + 8 + 15] |= 1;
}
await writeFile(new URL('derived/dispose-background.webp', fixtures), loop3);
await sharp(new URL('formats/rotating-squares.gif', fixtures).pathname, { animated: true })
  .webp({ lossless: true })
  .toFile(new URL('derived/animated-lossless.webp', fixtures).pathname);
const goldenDir = new URL('animation-golden/', fixtures);
const FILES = ['formats/animated-loop-3.gif', 'formats/animated-loop-3.webp', 'formats/rotating-squares.gif', 'derived/disposal.gif', 'derived/animated-lossless.webp', 'derived/dispose-background.webp'];

const goldens = {};
for (const name of FILES) {
  const path = new URL(name, fixtures).pathname;
  const { width, pageHeight, pages, delay, loop } = await sharp(path, { animated: true }).metadata();
  const frames = [];
  for (let page = 0; page < pages; page++) {
    const { data, info } = await sharp(path, { page }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    frames.push({ width: info.width, height: info.height, rgba: deflateSync(data, { level: 9 }).toString('base64') });
  }
  goldens[name.split('/').pop()] = { width, height: pageHeight, pages, delay, loop, frames };
}
await mkdir(goldenDir, { recursive: true });
await writeFile(new URL('references.json', goldenDir), JSON.stringify(goldens) + '\n');
console.log(`${FILES.length} animations in test/fixtures/animation-golden/references.json`);
