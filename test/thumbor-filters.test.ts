/** Thumbor's saturation, stretch, proportion, focal and round_corner filters, on originals of known pixels. */
import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeKey, expectProblem, putFixture, request } from './helpers';
import type { Picture } from './oracle';
import { offCentre, pixel, quadrants, ramps, stored, subjectShare } from './pictures';

const thumbor = (path: string) => request(`/thumbor/unsafe/${path}`, {}, { THUMBOR_ALLOW_UNSAFE: 'true' });
const served = async (path: string) => decodeResponse(await thumbor(path));
const alpha = (p: Picture, x: number, y: number) => p.data[(y * p.width + x) * 4 + 3]!;

describe('Thumbor filters', () => {
  it('saturation(0) is grey, saturation(1) unchanged', async () => {
    const key = encodeKey(await stored(ramps().colour));
    const grey = await served(`filters:saturation(0):format(png)/${key}`);
    expect(new Set([0, 20, 40, 63].map((x) => new Set(pixel(grey, x, 4)).size))).toEqual(new Set([1]));
    const same = await served(`filters:saturation(1):format(png)/${key}`);
    expect([...same.data]).toEqual([...(await served(`filters:format(png)/${key}`)).data]);
  });

  it('stretch() fills the box ignoring the aspect ratio, keeping what a crop would cut', async () => {
    const key = encodeKey(await stored(offCentre()));
    const stretched = await served(`200x200/filters:stretch():format(png)/${key}`);
    expect([stretched.width, stretched.height]).toEqual([200, 200]);
    expect(subjectShare(stretched)).toBeGreaterThan(0.05); // the 80×80 subject, squeezed to 40×80
    expect(subjectShare(await served(`200x200/filters:format(png)/${key}`))).toBe(0);
  });

  it('proportion(0.5) halves the box', async () => {
    const key = encodeKey(await stored(quadrants()));
    const half = await served(`20x10/filters:proportion(0.5):format(png)/${key}`);
    expect([half.width, half.height]).toEqual([10, 5]);
  });

  it('focal(AxB:CxD) centres the crop on the region', async () => {
    const key = encodeKey(await stored(offCentre()));
    expect(subjectShare(await served(`200x200/filters:format(png)/${key}`))).toBe(0);
    const focused = await served(`200x200/filters:focal(300x60:380x140):format(png)/${key}`);
    expect(subjectShare(focused)).toBeGreaterThan(0.15);
  });

  it('round_corner cuts the corners with the colour, or transparent', async () => {
    const key = encodeKey(await stored(quadrants()));
    const white = await served(`filters:round_corner(8,255,255,255):format(png)/${key}`);
    expect(pixel(white, 0, 0)).toEqual([255, 255, 255]);
    expect(pixel(white, 39, 19)).toEqual([255, 255, 255]);
    expect(pixel(white, 20, 10)).toEqual([255, 255, 255]); // the white quadrant's own pixel, untouched
    expect(pixel(white, 10, 5)).toEqual([255, 0, 0]);
    const clear = await served(`filters:round_corner(8|4,0,0,0,1):format(png)/${key}`);
    expect(alpha(clear, 0, 0)).toBe(0);
    expect(alpha(clear, 8, 4)).toBe(255);
    expect(alpha(clear, 20, 0)).toBe(255);
  });

  it.each([
    'filters:saturation(abc)', 'filters:proportion(0)', 'filters:proportion(2)', 'filters:focal(1x1:0x0)', 'filters:focal(a)',
    'filters:round_corner(8,255,255)', 'filters:round_corner(8,255,255,255,2)', 'filters:round_corner(0,1,2,3)',
  ])('%s is a 400', async (filter) => {
    const key = encodeKey(await stored(quadrants()));
    await expectProblem(await thumbor(`${filter}/${key}`), 400);
  });
});

describe('Thumbor trim/', () => {
  it('trim/ cuts the border of the top-left colour; trim:bottom-right:n takes that corner, within n', async () => {
    const key = encodeKey(await putFixture('formats/trim-mc.png'));
    const trimmed = await served(`trim:top-left:10/filters:format(png)/${key}`);
    expect([trimmed.width, trimmed.height]).toEqual([179, 123]); // as sharp.trim() finds it at its threshold of 10
    const exact = await served(`trim/filters:format(png)/${key}`);
    // sharp at threshold 0 keeps 181×125; tolerance 0 here keeps at least that (faint edge pixels count as picture).
    expect(exact.width).toBeGreaterThanOrEqual(181);
    expect(exact.height).toBeGreaterThanOrEqual(125);
    expect(exact.width * exact.height).toBeLessThan(200 * 240);
    // The bottom-right pixel is a nearly transparent one: within 10 of it, a little less is cut, never the picture.
    const corner = await served(`trim:bottom-right:10/filters:format(png)/${key}`);
    expect(corner.width).toBeGreaterThanOrEqual(179);
    expect(corner.width).toBeLessThan(200);
    expect(corner.height).toBeGreaterThanOrEqual(123);
    expect(corner.height).toBeLessThan(240);
    const resized = await served(`trim:top-left:10/90x0/filters:format(png)/${key}`);
    expect(resized.width).toBe(90);
  });
});

describe('Thumbor colour filters and max_age', () => {
  const mean = (p: Picture, c: number) => Array.from({ length: p.width * p.height }, (_, i) => p.data[i * 4 + c]!).reduce((a, b) => a + b, 0) / (p.width * p.height);
  it('rgb(r,g,b) shifts each channel by its own share', async () => {
    const key = encodeKey(await stored(ramps().grey));
    const base = await served(`filters:format(png)/${key}`);
    const shifted = await served(`filters:rgb(20,0,-20):format(png)/${key}`);
    expect(mean(shifted, 0)).toBeGreaterThan(mean(base, 0) + 30);
    expect(Math.abs(mean(shifted, 1) - mean(base, 1))).toBeLessThan(0.5);
    expect(mean(shifted, 2)).toBeLessThan(mean(base, 2) - 30);
  });

  it('equalize() spreads a narrow range over 0–255', async () => {
    const narrow = ramps().grey;
    for (let i = 0; i < narrow.data.length; i += 4) narrow.data.fill(100 + Math.round(narrow.data[i]! / 10), i, i + 3);
    const out = await served(`filters:equalize():format(png)/${encodeKey(await stored(narrow))}`);
    const reds = Array.from({ length: out.width * out.height }, (_, i) => out.data[i * 4]!);
    expect([Math.min(...reds), Math.max(...reds)]).toEqual([0, 255]);
  });

  it('noise(n) roughens a flat picture by up to n %, the same way every time', async () => {
    const flat = ramps().grey;
    flat.data.fill(128);
    const key = encodeKey(await stored(flat));
    const once = await served(`filters:noise(10):format(png)/${key}`);
    const reds = Array.from({ length: once.width * once.height }, (_, i) => once.data[i * 4]!);
    expect(Math.max(...reds)).toBeGreaterThan(140);
    expect(Math.max(...reds.map((v) => Math.abs(v - 128)))).toBeLessThanOrEqual(26);
    // Another key with the same bytes: a transform of its own, not a cache hit.
    const again = await served(`filters:noise(10):format(png)/${encodeKey(await stored(flat))}`);
    expect([...again.data]).toEqual([...once.data]);
  });

  it('max_age(n) sets this answer’s Cache-Control', async () => {
    const key = encodeKey(await stored(quadrants()));
    expect((await thumbor(`filters:max_age(60)/${key}`)).headers.get('Cache-Control')).toBe('public, max-age=60');
    expect((await thumbor(`filters:max_age(0)/${key}`)).headers.get('Cache-Control')).toBe('no-cache');
    await expectProblem(await thumbor(`filters:max_age(-1)/${key}`), 400);
  });
});

describe('Thumbor fill(auto)', () => {
  it("pads with the mean colour of the picture's own edges", async () => {
    const picture = quadrants();
    const edge: number[][] = [];
    for (let y = 0; y < picture.height; y++) {
      for (let x = 0; x < picture.width; x++) {
        if (y === 0 || y === picture.height - 1 || x === 0 || x === picture.width - 1) edge.push(pixel(picture, x, y));
      }
    }
    const expected = [0, 1, 2].map((c) => Math.round(edge.reduce((sum, p) => sum + p[c]!, 0) / edge.length));
    const padded = await served(`fit-in/40x40/filters:fill(auto):format(png)/${encodeKey(await stored(picture))}`);
    expect([padded.width, padded.height]).toEqual([40, 40]);
    expect(pixel(padded, 0, 0)).toEqual(expected); // the band above the picture
    expect(pixel(padded, 0, 10)).toEqual([255, 0, 0]); // the picture's first row, centred
    await expectProblem(await thumbor(`filters:fill(blur)/${encodeKey(await stored(picture))}`), 400);
  });
});
