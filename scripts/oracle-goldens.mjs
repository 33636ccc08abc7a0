#!/usr/bin/env node
/**
 * Writes references for the tests whose oracle cannot be a plain decode
 * (test/oracle.ts), made by sharp (libvips) outside the code under test:
 * - test/fixtures/derived/moire.png: 1200×200 grey vertical stripes, a
 *   cosine of 0.11 cycles a pixel. Shrunk 20× to 60 px wide, a resizer that
 *   box-averages 10×10 blocks first (libvips' shrink before reduce, as
 *   edgepix's pre-shrink does) aliases it into a beat of 0.01 cycles a pixel
 *   (a 5 px period in the output, about ±11 levels); Lanczos3 alone leaves
 *   it flat grey. So the thumbnail shows whether the box pre-shrink ran.
 * - test/fixtures/oracle-golden/references.json: sharp's Lanczos3 resize
 *   of moire.png to 60 px wide, and of the CMYK JPEG fixture (which jsquash's
 *   mozjpeg will not turn into RGB) to 64 px wide, converted to sRGB by
 *   sharp's CMYK profile; as { width, height, rgba: base64(zlib(RGBA)) }.
 * Run: node scripts/oracle-goldens.mjs
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const fixtures = new URL('../test/fixtures/', import.meta.url);
const goldenDir = new URL('oracle-golden/', fixtures);
const moire = new URL('derived/moire.png', fixtures).pathname;
const cmyk = new URL('formats/Channel_digital_image_CMYK_color.jpg', fixtures).pathname;

const rgba = (s) => s.ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
const golden = ({ data, info }) => ({ width: info.width, height: info.height, rgba: deflateSync(data, { level: 9 }).toString('base64') });

export const MOIRE = { width: 1200, height: 200, cyclesPerPixel: 0.11, thumbnailWidth: 60 };

const stripes = Buffer.alloc(MOIRE.width * MOIRE.height);
for (let y = 0; y < MOIRE.height; y++) {
  for (let x = 0; x < MOIRE.width; x++) {
    stripes[y * MOIRE.width + x] = Math.round(128 + 127 * Math.cos(2 * Math.PI * MOIRE.cyclesPerPixel * (x + 0.5)));
  }
}
await sharp(stripes, { raw: { width: MOIRE.width, height: MOIRE.height, channels: 1 } }).png({ compressionLevel: 9 }).toFile(moire);

await mkdir(goldenDir, { recursive: true });
const cmykSize = await sharp(cmyk).metadata();
const goldens = {
  'moire.png@60': golden(await rgba(sharp(moire).toColourspace('srgb').resize({ width: MOIRE.thumbnailWidth, kernel: 'lanczos3' }))),
  'cmyk.jpg@64': golden(
    await rgba(sharp(cmyk).resize({ width: 64, height: Math.round((64 * cmykSize.height) / cmykSize.width), fit: 'fill', kernel: 'lanczos3' }).toColourspace('srgb')),
  ),
};
await writeFile(new URL('references.json', goldenDir), JSON.stringify(goldens) + '\n');
console.log(`${Object.keys(goldens).length} goldens in test/fixtures/oracle-golden/references.json`);
