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
 * - test/fixtures/derived/p3-colours.{png,jpg,webp}: a 64×32 sweep of
 *   hues and lightness written by sharp in Display P3 (its pixels converted
 *   and the profile embedded), and sharp's rendering of each in sRGB as
 *   'p3-colours.<ext>' in references.json: what colour management must give;
 *   and derived/srgb-colours.png, the sweep tagged sRGB (nothing to convert).
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

export const P3_COLOURS = { width: 64, height: 32, formats: ['png', 'jpg', 'webp'] };
const sweep = Buffer.alloc(P3_COLOURS.width * P3_COLOURS.height * 3);
for (let y = 0; y < P3_COLOURS.height; y++) {
  for (let x = 0; x < P3_COLOURS.width; x++) {
    // Hue across, from saturated (top) to pale (bottom).
    const hue = (x / P3_COLOURS.width) * 6;
    const pale = y / P3_COLOURS.height;
    const channel = (offset) => Math.round(255 * (pale + (1 - pale) * Math.max(0, Math.min(1, Math.abs(((hue + offset) % 6) - 3) - 1))));
    sweep.set([channel(0), channel(4), channel(2)], (y * P3_COLOURS.width + x) * 3);
  }
}
const sweepImage = () => sharp(sweep, { raw: { width: P3_COLOURS.width, height: P3_COLOURS.height, channels: 3 } }).withIccProfile('p3');
await sweepImage().png({ compressionLevel: 9 }).toFile(new URL('derived/p3-colours.png', fixtures).pathname);
await sweepImage().jpeg({ quality: 95 }).toFile(new URL('derived/p3-colours.jpg', fixtures).pathname);
await sweepImage().webp({ quality: 95 }).toFile(new URL('derived/p3-colours.webp', fixtures).pathname);
// The same sweep tagged sRGB: a profile that asks for no conversion.
await sharp(sweep, { raw: { width: P3_COLOURS.width, height: P3_COLOURS.height, channels: 3 } }).withIccProfile('srgb').png().toFile(new URL('derived/srgb-colours.png', fixtures).pathname);

await mkdir(goldenDir, { recursive: true });
const cmykSize = await sharp(cmyk).metadata();
const goldens = {
  'moire.png@60': golden(await rgba(sharp(moire).toColourspace('srgb').resize({ width: MOIRE.thumbnailWidth, kernel: 'lanczos3' }))),
  'cmyk.jpg@64': golden(
    await rgba(sharp(cmyk).resize({ width: 64, height: Math.round((64 * cmykSize.height) / cmykSize.width), fit: 'fill', kernel: 'lanczos3' }).toColourspace('srgb')),
  ),
};
for (const ext of P3_COLOURS.formats) {
  goldens[`p3-colours.${ext}`] = golden(await rgba(sharp(new URL(`derived/p3-colours.${ext}`, fixtures).pathname).toColourspace('srgb')));
}
await writeFile(new URL('references.json', goldenDir), JSON.stringify(goldens) + '\n');
console.log(`${Object.keys(goldens).length} goldens in test/fixtures/oracle-golden/references.json`);
