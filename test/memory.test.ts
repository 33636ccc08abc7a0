import { describe, expect, it } from 'vitest';
import { decodeImage, encodeImage } from '../src/codecs';
import { probe } from '../src/codecs/probe';
import { resizeRgba } from '../src/pipeline/resample/index'; // the code under test here, never an oracle
import { decodedFixture, decodeResponse, expectProblem, fixture, img, meanDifference, putFixture, putOriginal, reference, uniqueKey } from './helpers';
import { meanAbsDiff } from './oracle';

const RACHEL = 'photos/rachel-hisko-rEM3cK8F1pk-unsplash.jpg'; // 6000×4000 progressive 4:2:0

describe('cost model: refused up front, before decoding', () => {
  it('a progressive JPEG decodes in bands, so its 69 MiB of coefficients fit a 48 MiB budget', async () => {
    const key = await putFixture(RACHEL);
    const image = await decodeResponse(await img('width=1000', key, undefined, { MAX_WORKING_MEMORY: String(48 * 1024 * 1024) }));
    expect([image.width, image.height]).toEqual([1000, 667]);
  });

  it('a budget smaller than even its bands gets 413 naming the limit and the cause', async () => {
    const key = await putFixture(RACHEL);
    const body = await expectProblem(
      await img('width=1000', key, undefined, { MAX_WORKING_MEMORY: String(8 * 1024 * 1024) }),
      413,
      /6000×4000 progressive JPEG decoded at 1500×1000.*decoding (\d+) MiB.*MAX_WORKING_MEMORY\) is 8 MiB/,
    );
    const decoding = Number(/decoding (\d+) MiB/.exec(String(body.detail))![1]);
    expect(decoding).toBeGreaterThanOrEqual(8); // the coefficient budget's bands, not the whole 69 MiB
    expect(decoding).toBeLessThan(16);
  });

  it('at 1/8 the same file keeps only the luma DC coefficients and fits that budget', async () => {
    const key = await putFixture(RACHEL);
    const image = await decodeResponse(await img('width=400', key, undefined, { MAX_WORKING_MEMORY: String(48 * 1024 * 1024) }));
    expect([image.width, image.height]).toEqual([400, 267]);
  });

  it('the same picture as a baseline JPEG streams and fits the same budget', async () => {
    const progressive = await fixture(RACHEL);
    // edgepix's codecs only make the input here; the test judges nothing by them.
    const decoded = await decodeImage('jpeg', progressive, { minWidth: 3000, minHeight: 2000 });
    const baseline = await encodeImage('jpeg', decoded, { quality: 85, progressive: false });
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
  it('keeps the picture', async () => {
    const full = await decodedFixture('formats/4.webp');
    const width = 60;
    const height = Math.round((full.height * width) / full.width);
    expect(full.width / width).toBeGreaterThanOrEqual(4); // so the shrink step really runs
    const image = await decodeResponse(await img(`width=${width},format=png`, await putFixture('formats/4.webp')));
    expect([image.width, image.height]).toEqual([width, height]);
    // Against the original (jsquash's decode), both area-averaged to 30 px wide: 1.5 levels.
    expect(await meanDifference(image, full, 30)).toBeLessThan(2.5);
  });

  it('runs before Lanczos3 as libvips shrinks before it reduces: stripes alias exactly as in the thumbnail sharp makes', async () => {
    // derived/moire.png (scripts/oracle-goldens.mjs): 0.11 cycles a pixel, shrunk 20×. Averaging 10×10 blocks
    // first turns it into a beat of ±11 levels, as in sharp's thumbnail; Lanczos3 alone would leave it flat
    // grey, 5.75 levels (mean over RGBA) from sharp's. Same kernels, same block grid: edgepix matches to 0.
    const image = await decodeResponse(await img('width=60,format=png', await putFixture('derived/moire.png')));
    expect(meanAbsDiff(image, await reference('moire.png@60'))).toBeLessThanOrEqual(1);
  });
});

describe('Lanczos3 resampler', () => {
  it('keeps a picture the same size exactly as it was', async () => {
    const photo = await decodedFixture('formats/320x240.jpg');
    const same = await resizeRgba(photo, { width: photo.width, height: photo.height });
    // Counted, not toEqual: a failing toEqual of 300 000 bytes spends minutes printing its diff.
    expect(same.data.filter((value, i) => value !== photo.data[i]).length).toBe(0);
  });

  it('doubling then halving gives the picture back', async () => {
    const photo = await decodedFixture('formats/320x240.jpg');
    const doubled = await resizeRgba(photo, { width: 640, height: 480 });
    const back = await resizeRgba(doubled, { width: 320, height: 240 });
    expect(await meanDifference(back, photo)).toBeLessThan(1.5);
  });

  it('a 2048 px output from a 12.6 MP input (397 MiB in the Rust crate it replaced) stays flat where the input is', async () => {
    const flat = { width: 4096, height: 3072, data: new Uint8ClampedArray(4096 * 3072 * 4).map((_, i) => (i % 4 === 3 ? 255 : 200)) };
    const big = await resizeRgba(flat, { width: 2048, height: 1536 });
    expect([big.width, big.height]).toEqual([2048, 1536]);
    expect(big.data.every((value, i) => value === (i % 4 === 3 ? 255 : 200))).toBe(true);
  });
});
