#!/usr/bin/env node
/**
 * Writes what test/streaming.test.ts feeds edgepix and what it expects back,
 * both made by sharp (libvips), outside the code under test:
 * - test/fixtures/derived/: one photo (orientation/Landscape_1.jpg, made
 *   900×600) re-saved in every input format the pipeline streams, and a 6000×1000
 *   panorama WebP cut from photos/jon-tyson-…jpg;
 * - test/fixtures/stream-golden/thumbnails.json: sharp's Lanczos3 resize of
 *   each to 300 px wide (and of the baseline JPEG to a 200×200 cover crop, of the 24 MP
 *   progressive photo to 1000 px wide), and the orientation-6 photo made upright at full
 *   size then averaged over 8×8 boxes (the test averages edgepix's full-size
 *   output the same way), and so the AVIF with alpha at full size, as
 *   { width, height, rgba: base64(zlib(RGBA)) }.
 * Run: node scripts/stream-goldens.mjs
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const root = new URL('../', import.meta.url);
const fixtures = new URL('test/fixtures/', root);
const derivedDir = new URL('derived/', fixtures);
const goldenDir = new URL('stream-golden/', fixtures);
const photo = new URL('orientation/Landscape_1.jpg', fixtures).pathname;
const panoramaSource = new URL('photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg', fixtures).pathname;

/** The same picture in each input format (file name → how sharp writes it). */
const DERIVED = {
  'baseline.jpg': (s) => s.jpeg({ quality: 90, progressive: false }),
  'progressive.jpg': (s) => s.jpeg({ quality: 90, progressive: true }),
  'rgb8.png': (s) => s.png(),
  'rgb16.png': (s) => s.toColourspace('rgb16').png(),
  'palette.png': (s) => s.png({ palette: true, colours: 256, dither: 0 }),
  'interlaced.png': (s) => s.png({ progressive: true }),
  'lossy.webp': (s) => s.webp({ quality: 90 }),
  'lossless.webp': (s) => s.webp({ lossless: true }),
  'yuv420.avif': (s) => s.avif({ quality: 80, chromaSubsampling: '4:2:0', effort: 2 }),
  'yuv444.avif': (s) => s.avif({ quality: 80, chromaSubsampling: '4:4:4', effort: 2 }),
  'alpha.avif': (s) => s.ensureAlpha(0.6).avif({ quality: 80, chromaSubsampling: '4:2:0', effort: 2 }),
};
export const THUMBNAIL_WIDTH = 300;
const BOX = 8;

/** Small enough to keep the fixtures light, large enough for every decoder's row paths. */
const BASE_WIDTH = 900;
const rgba = (s) => s.ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
const golden = ({ data, info }) => ({ width: info.width, height: info.height, rgba: deflateSync(data, { level: 9 }).toString('base64') });

/** Mean of each box×box block (edge blocks partial): an independent, trivially checkable reduction. */
function boxAverage({ data, info: { width, height } }, box = BOX) {
  const w = Math.ceil(width / box);
  const h = Math.ceil(height / box);
  const out = Buffer.alloc(w * h * 4);
  for (let by = 0; by < h; by++) {
    for (let bx = 0; bx < w; bx++) {
      const sums = [0, 0, 0, 0];
      let n = 0;
      for (let y = by * box; y < Math.min(height, (by + 1) * box); y++) {
        for (let x = bx * box; x < Math.min(width, (bx + 1) * box); x++, n++) {
          for (let c = 0; c < 4; c++) sums[c] += data[(y * width + x) * 4 + c];
        }
      }
      for (let c = 0; c < 4; c++) out[(by * w + bx) * 4 + c] = Math.round(sums[c] / n);
    }
  }
  return { data: out, info: { width: w, height: h } };
}

await mkdir(derivedDir, { recursive: true });
await mkdir(goldenDir, { recursive: true });
const goldens = {};
for (const [name, write] of Object.entries(DERIVED)) {
  const file = new URL(name, derivedDir).pathname;
  await write(sharp(await sharp(photo).resize({ width: BASE_WIDTH }).toBuffer())).toFile(file);
  goldens[name] = golden(await rgba(sharp(file).resize({ width: THUMBNAIL_WIDTH, kernel: 'lanczos3' })));
}
goldens['baseline.jpg@cover200'] = golden(
  await rgba(sharp(new URL('baseline.jpg', derivedDir).pathname).resize({ width: 200, height: 200, fit: 'cover', kernel: 'lanczos3' })),
);
// 24 MP progressive: decoded at 1/4 in bands (its whole coefficient buffer is 69 MiB).
goldens['rachel@1000'] = golden(
  await rgba(sharp(new URL('photos/rachel-hisko-rEM3cK8F1pk-unsplash.jpg', fixtures).pathname).resize({ width: 1000, kernel: 'lanczos3' })),
);
// 24 MP at full size: the WebP encoder reads it in two passes of the rows (averaged 32×32 to keep the file light).
goldens['rachel@full/32'] = golden(boxAverage(await rgba(sharp(new URL('photos/rachel-hisko-rEM3cK8F1pk-unsplash.jpg', fixtures).pathname)), 32));
const panorama = new URL('panorama.webp', derivedDir).pathname;
await sharp(panoramaSource).resize({ width: 6000 }).extract({ left: 0, top: 1500, width: 6000, height: 1000 }).webp({ quality: 80 }).toFile(panorama);
goldens['panorama.webp'] = golden(await rgba(sharp(panorama).resize({ width: THUMBNAIL_WIDTH, kernel: 'lanczos3' })));
goldens['alpha.avif@full/8'] = golden(boxAverage(await rgba(sharp(new URL('alpha.avif', derivedDir).pathname))));
goldens['Landscape_6.jpg@full/8'] = golden(boxAverage(await rgba(sharp(new URL('orientation/Landscape_6.jpg', fixtures).pathname).rotate())));
await writeFile(new URL('thumbnails.json', goldenDir), JSON.stringify(goldens) + '\n');
console.log(`${Object.keys(goldens).length} goldens in test/fixtures/stream-golden/thumbnails.json`);
