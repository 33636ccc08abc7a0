#!/usr/bin/env node
/**
 * Writes the references test/png-rows.test.ts compares the PNG decoder with:
 * copies the PngSuite files from ../shared/fixtures/png/ into
 * test/fixtures/png/ (with their licence), and records what sharp (libvips)
 * decodes each to as 8-bit RGBA in test/fixtures/png-golden/pngsuite.json:
 * { "<file>": { width, height, rgba: base64 of zlib(RGBA rows) } }.
 *
 * sharp's 8-bit output of a 16-bit PNG is each sample's high byte (v >> 8);
 * this script checks that against sharp's own 16-bit output, so the test can
 * demand exact equality. Run: node scripts/png-goldens.mjs
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const root = new URL('../', import.meta.url);
const suite = new URL('../shared/fixtures/png/', root);
const pngDir = new URL('test/fixtures/png/', root);
const goldenDir = new URL('test/fixtures/png-golden/', root);

/** sharp's 8-bit sRGB RGBA: grey becomes RGB, alpha is added (255) where the file has none. */
async function rgba8(file) {
  const { data, info } = await sharp(file).toColourspace('srgb').ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`${file}: sharp gave ${info.channels} channels`);
  return { width: info.width, height: info.height, data };
}

/** Checks that sharp's 8-bit samples are the high bytes of its 16-bit ones. */
async function checkHighByte(file, eight) {
  const { data, info } = await sharp(file).toColourspace('rgb16').ensureAlpha().raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  const wide = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
  for (let i = 0; i < wide.length; i++) {
    if (eight[i] !== wide[i] >> 8) throw new Error(`${file}: sample ${i} is ${wide[i]} at 16 bits but ${eight[i]} at 8, not v >> 8`);
  }
}

await mkdir(pngDir, { recursive: true });
await mkdir(goldenDir, { recursive: true });
await copyFile(new URL('LICENSE-PngSuite', suite), new URL('LICENSE-PngSuite', pngDir));
const names = (await readdir(suite)).filter((n) => n.endsWith('.png') && !n.startsWith('x')).sort();
const golden = {};
const notes = [];
for (const name of names) {
  const file = new URL(name, suite).pathname;
  await copyFile(file, new URL(name, pngDir));
  const meta = await sharp(file).metadata();
  const { width, height, data } = await rgba8(file);
  if (meta.depth === 'ushort') await checkHighByte(file, data);
  if (meta.icc) notes.push(`${name} has an ICC profile: sharp converts it to sRGB`);
  golden[name] = { width, height, rgba: deflateSync(data, { level: 9 }).toString('base64') };
}
await writeFile(new URL('pngsuite.json', goldenDir), JSON.stringify(golden, null, 0) + '\n');
console.log(`${names.length} PngSuite files, goldens in test/fixtures/png-golden/pngsuite.json`);
for (const note of notes) console.log(note);
