/** Thumbor's saturation, stretch, proportion, focal and round_corner filters, on originals of known pixels. */
import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeKey, expectProblem, request } from './helpers';
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
