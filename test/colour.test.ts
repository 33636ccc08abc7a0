/**
 * Colour management: a picture with an ICC profile comes out as sRGB, judged
 * against sharp's (lcms2's) rendering of the same files in sRGB
 * (scripts/oracle-goldens.mjs), decoded by the oracle.
 */
import { describe, expect, it } from 'vitest';
import { decodeResponse, fixture, img, putFixture, reference } from './helpers';
import { meanAbsDiff, oracleDecode } from './oracle';

describe('ICC profiles are converted to sRGB', () => {
  it.each([
    ['png', 1],
    ['jpg', 2.5],
    ['webp', 2.5],
  ] as const)('Display P3 %s: within %s of sharp, where the unconverted values are 8 to 11 away', async (ext, tolerance) => {
    const key = await putFixture(`derived/p3-colours.${ext}`);
    const served = await decodeResponse(await img('format=png', key));
    const expected = await reference(`p3-colours.${ext}`);
    expect([served.width, served.height]).toEqual([expected.width, expected.height]);
    expect(meanAbsDiff(served, expected)).toBeLessThanOrEqual(tolerance);
    // The file's own values read as sRGB are what an unmanaged pipeline serves.
    const unmanaged = await oracleDecode(await fixture(`derived/p3-colours.${ext}`));
    expect(meanAbsDiff(unmanaged, expected)).toBeGreaterThan(6);
  });

  it("p3.png's reds, P3 240–255, are sRGB's full red as sharp renders them", async () => {
    const served = await decodeResponse(await img('format=png', await putFixture('formats/p3.png')));
    const reds = Array.from({ length: served.width * served.height }, (_, i) => [...served.data.subarray(i * 4, i * 4 + 3)]);
    for (const [r, g, b] of reds) expect([r! >= 253, g! <= 2, b! <= 2]).toEqual([true, true, true]);
  });

  it('an sRGB profile changes nothing', async () => {
    const served = await decodeResponse(await img('format=png', await putFixture('derived/srgb-colours.png')));
    const file = await oracleDecode(await fixture('derived/srgb-colours.png'));
    expect(meanAbsDiff(served, file)).toBe(0);
  });
});
