import { describe, expect, it } from 'vitest';
import { decodeResponse, img, meanDifference, putFixture } from './helpers';

// Every file holds the same picture stored with EXIF orientation 0–8; upright, each must look like *_1.
describe.each([
  ['Landscape', 300, 200],
  ['Portrait', 200, 300],
])('%s_0..8 all decode to the same upright picture', (name, width, height) => {
  const options = name === 'Landscape' ? 'width=300' : 'height=300';

  it.each([0, 2, 3, 4, 5, 6, 7, 8])(`${name}_%i matches ${name}_1`, async (n) => {
    const reference = await decodeResponse(await img(options, await putFixture(`orientation/${name}_1.jpg`)));
    const image = await decodeResponse(await img(options, await putFixture(`orientation/${name}_${n}.jpg`)));
    expect([image.width, image.height]).toEqual([width, height]);
    expect(await meanDifference(image, reference)).toBeLessThan(6);
  });

  it.each([0, 2, 3, 4, 5, 6, 7, 8])(`${name}_%i matches ${name}_1 when cropped off-centre (cover, gravity 0.2x0.3)`, async (n) => {
    const crop = 'width=120,height=90,fit=cover,gravity=0.2x0.3,format=png';
    const reference = await decodeResponse(await img(crop, await putFixture(`orientation/${name}_1.jpg`)));
    const image = await decodeResponse(await img(crop, await putFixture(`orientation/${name}_${n}.jpg`)));
    expect([image.width, image.height]).toEqual([120, 90]);
    expect(await meanDifference(image, reference)).toBeLessThan(6);
  });

  it('a wrongly oriented picture would fail the comparison', async () => {
    const reference = await decodeResponse(await img(options, await putFixture(`orientation/${name}_1.jpg`)));
    const mirrored = await decodeResponse(await img(`${options},format=png`, await putFixture(`orientation/${name}_1.jpg`)));
    const data = new Uint32Array(mirrored.data.buffer);
    for (let y = 0; y < mirrored.height; y++) data.subarray(y * mirrored.width, (y + 1) * mirrored.width).reverse();
    expect(await meanDifference(mirrored, reference)).toBeGreaterThan(12);
  });
});
