#!/usr/bin/env node
/**
 * Writes test/fixtures/animation-golden/references.json: what sharp
 * (libvips, with its own GIF and WebP loaders) reads from the animated
 * fixtures, outside the code under test — each file's canvas size, frame
 * count, per-frame delays (ms), loop count, and every frame composed (its
 * disposal and blending applied) as { width, height, rgba: base64(zlib(RGBA)) }.
 * Run: node scripts/animation-goldens.mjs
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const fixtures = new URL('../test/fixtures/', import.meta.url);
const goldenDir = new URL('animation-golden/', fixtures);
const FILES = ['animated-loop-3.gif', 'animated-loop-3.webp', 'rotating-squares.gif'];

const goldens = {};
for (const name of FILES) {
  const path = new URL(`formats/${name}`, fixtures).pathname;
  const { width, pageHeight, pages, delay, loop } = await sharp(path, { animated: true }).metadata();
  const frames = [];
  for (let page = 0; page < pages; page++) {
    const { data, info } = await sharp(path, { page }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    frames.push({ width: info.width, height: info.height, rgba: deflateSync(data, { level: 9 }).toString('base64') });
  }
  goldens[name] = { width, height: pageHeight, pages, delay, loop, frames };
}
await mkdir(goldenDir, { recursive: true });
await writeFile(new URL('references.json', goldenDir), JSON.stringify(goldens) + '\n');
console.log(`${FILES.length} animations in test/fixtures/animation-golden/references.json`);
