import { describe, expect, it } from 'vitest';
import { decodedFixture, decodeResponse, img, meanDifference, putFixture } from './helpers';
import { cut } from './oracle';

/**
 * Every file holds the same picture stored with EXIF orientation 0–8; upright, each must look like *_1 —
 * as jsquash's mozjpeg decodes *_1 (which ignores EXIF, and *_1 needs no turn), not as edgepix serves it.
 * Compared 48 px wide, edgepix's thumbnails and crops differ from it by 0.4–1.0 levels; a mirrored one by 27–52.
 */
describe.each([
  ['Landscape', 300, 200],
  ['Portrait', 200, 300],
])('%s_0..8 all decode to the same upright picture', (name, width, height) => {
  const options = name === 'Landscape' ? 'width=300' : 'height=300';
  const upright = () => decodedFixture(`orientation/${name}_1.jpg`);

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8])(`${name}_%i matches the upright picture`, async (n) => {
    const image = await decodeResponse(await img(options, await putFixture(`orientation/${name}_${n}.jpg`)));
    expect([image.width, image.height]).toEqual([width, height]);
    expect(await meanDifference(image, await upright())).toBeLessThan(3);
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8])(`${name}_%i matches the upright picture when cropped off-centre (cover, gravity 0.2x0.3)`, async (n) => {
    const crop = 'width=120,height=90,fit=cover,gravity=0.2x0.3,format=png';
    const image = await decodeResponse(await img(crop, await putFixture(`orientation/${name}_${n}.jpg`)));
    expect([image.width, image.height]).toEqual([120, 90]);
    // The documented cover crop, worked out here: the largest 4:3 region, centred on the focal point
    // (0.2, 0.3) of the upright picture as far as the edges allow.
    const source = await upright();
    const scale = Math.max(120 / source.width, 90 / source.height);
    const [w, h] = [Math.round(120 / scale), Math.round(90 / scale)];
    const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);
    const x = clamp(Math.round(0.2 * source.width - w / 2), source.width - w);
    const y = clamp(Math.round(0.3 * source.height - h / 2), source.height - h);
    expect(await meanDifference(image, cut(source, x, y, w, h))).toBeLessThan(3);
  });

  it('a wrongly oriented picture would fail the comparison', async () => {
    const mirrored = await decodeResponse(await img(`${options},format=png`, await putFixture(`orientation/${name}_1.jpg`)));
    const data = new Uint32Array(mirrored.data.buffer);
    for (let y = 0; y < mirrored.height; y++) data.subarray(y * mirrored.width, (y + 1) * mirrored.width).reverse();
    expect(await meanDifference(mirrored, await upright())).toBeGreaterThan(12);
  });
});
