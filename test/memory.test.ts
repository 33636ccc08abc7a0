import { describe, expect, it } from 'vitest';
import encodeJpeg from '@jsquash/jpeg/encode.js';
import { CODECS } from '../src/codecs';
import { probe } from '../src/codecs/probe';
import { asImageData } from '../src/codecs/wasm-codec';
import { resizeRgba } from '../src/codecs/resize';
import { decodeResponse, expectProblem, fixture, img, meanDifference, putFixture, putOriginal, uniqueKey } from './helpers';

const RACHEL = 'photos/rachel-hisko-rEM3cK8F1pk-unsplash.jpg'; // 6000×4000 progressive 4:2:0

describe('cost model: refused up front, before decoding', () => {
  it('a progressive JPEG whose coefficients exceed MAX_WORKING_MEMORY gets 413 naming the limit and the cause', async () => {
    const key = await putFixture(RACHEL);
    const body = await expectProblem(
      await img('width=1000', key, undefined, { MAX_WORKING_MEMORY: String(48 * 1024 * 1024) }),
      413,
      /6000×4000 progressive JPEG decoded at 1500×1000.*MAX_WORKING_MEMORY\) is 48 MiB/,
    );
    const mib = Number(/needs about (\d+) MiB/.exec(String(body.detail))![1]);
    expect(mib).toBeGreaterThan(24e6 * 3 / 2 ** 20); // at 1/4, 24 MP × 3 bytes of coefficients at 4:2:0
  });

  it('at 1/8 the same file keeps only the luma DC coefficients and fits that budget', async () => {
    const key = await putFixture(RACHEL);
    const image = await decodeResponse(await img('width=400', key, undefined, { MAX_WORKING_MEMORY: String(48 * 1024 * 1024) }));
    expect([image.width, image.height]).toEqual([400, 267]);
  });

  it('the same picture as a baseline JPEG streams and fits the same budget', async () => {
    const progressive = await fixture(RACHEL);
    const decoded = await CODECS.jpeg.decode(progressive, { minWidth: 3000, minHeight: 2000 });
    await CODECS.jpeg.encode({ width: 1, height: 1, data: new Uint8ClampedArray(4) }, 85); // initialises MozJPEG
    const baseline = new Uint8Array(await encodeJpeg(asImageData(decoded), { quality: 85, progressive: false }));
    expect(probe(baseline).progressive).toBe(false);
    const key = await putOriginal(uniqueKey('baseline.jpg'), baseline);
    const image = await decodeResponse(await img('width=400', key, undefined, { MAX_WORKING_MEMORY: String(48 * 1024 * 1024) }));
    expect([image.width, image.height]).toEqual([400, 267]);
  });

  it('a large full-decode format is refused by its RGBA cost', async () => {
    const key = await putFixture('formats/4.webp');
    await expectProblem(await img('width=100', key, undefined, { MAX_WORKING_MEMORY: '100000' }), 413, /WEBP decoded at/);
  });
});

describe('box pre-shrink', () => {
  it('gives the same picture as Lanczos alone', async () => {
    const bytes = await fixture('formats/4.webp');
    const full = await CODECS.webp.decode(bytes, { minWidth: 0, minHeight: 0 });
    const width = 60;
    const height = Math.round((full.height * width) / full.width);
    expect(full.width / width).toBeGreaterThanOrEqual(4); // so the shrink step really runs
    const reference = await resizeRgba(full, { width, height });
    const image = await decodeResponse(await img(`width=${width},format=png`, await putOriginal(uniqueKey('s.webp'), bytes)));
    expect([image.width, image.height]).toEqual([width, height]);
    expect(await meanDifference(image, reference)).toBeLessThan(3);
  });
});

describe('codec instances started afresh after big jobs', () => {
  it('the resizer answers the same before and after a job that grows its memory past the limit', async () => {
    const photo = await CODECS.jpeg.decode(await fixture('formats/320x240.jpg'), { minWidth: 0, minHeight: 0 });
    const before = await resizeRgba(photo, { width: 100, height: 75 });
    const flat = { width: 3000, height: 2000, data: new Uint8ClampedArray(3000 * 2000 * 4).map((_, i) => (i % 4 === 3 ? 255 : 200)) };
    const big = await resizeRgba(flat, { width: 2000, height: 1333 }); // ~40 MB in and out of WASM
    expect([big.width, big.height, big.data.length]).toEqual([2000, 1333, 2000 * 1333 * 4]);
    const worst = big.data.reduce((most, value, i) => Math.max(most, Math.abs(value - (i % 4 === 3 ? 255 : 200))), 0);
    expect(worst).toBeLessThanOrEqual(1); // a flat picture stays flat
    const after = await resizeRgba(photo, { width: 100, height: 75 });
    expect(after.data).toEqual(before.data);
  });
});
