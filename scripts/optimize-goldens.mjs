#!/usr/bin/env node
/**
 * Writes the reference test/optimize.test.ts judges the optimize pass by,
 * made by sharp (libvips) outside the code under test: the jon photo
 * fixture resized by Lanczos3 to 640 px wide, as a lossless PNG
 * (test/fixtures/optimize-golden/jon-640.png).
 * Run: node scripts/optimize-goldens.mjs
 */
import { mkdir } from 'node:fs/promises';
import sharp from 'sharp';

const fixtures = new URL('../test/fixtures/', import.meta.url);
const photo = new URL('photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg', fixtures).pathname;
const goldenDir = new URL('optimize-golden/', fixtures);

const OPTIMIZE_WIDTH = 640;

await mkdir(goldenDir, { recursive: true });
const out = new URL(`jon-${OPTIMIZE_WIDTH}.png`, goldenDir).pathname;
await sharp(photo).rotate().resize({ width: OPTIMIZE_WIDTH, kernel: 'lanczos3' }).toColourspace('srgb').png({ compressionLevel: 9 }).toFile(out);
console.log(`wrote ${out}`);
