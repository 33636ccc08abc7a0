/**
 * Colour management: a picture with an ICC profile comes out as sRGB, judged
 * against sharp's (lcms2's) rendering of the same files in sRGB
 * (scripts/oracle-goldens.mjs), decoded by the oracle.
 */
import { describe, expect, it } from 'vitest';
import { deflate } from 'pako';
import { pngChunk } from '../src/codecs/png/encode-rows';
import { decodeResponse, fixture, img, putFixture, putOriginal, reference, uniqueKey } from './helpers';
import { meanAbsDiff, oracleDecode, oracleEncodePng } from './oracle';
import { ramps } from './pictures';

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

describe('a profile edgepix cannot apply', () => {
  /** A minimal RGB profile with an A2B0 table and no colorants or curves: LUT-only. */
  function lutOnlyProfile(): Uint8Array {
    const bytes = new Uint8Array(132 + 12 + 32);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, bytes.length);
    bytes.set([...'RGB XYZ '].map((c) => c.charCodeAt(0)), 16);
    bytes.set([...'acsp'].map((c) => c.charCodeAt(0)), 36);
    view.setUint32(128, 1);
    bytes.set([...'A2B0'].map((c) => c.charCodeAt(0)), 132);
    view.setUint32(136, 144);
    view.setUint32(140, 32);
    bytes.set([...'mft2'].map((c) => c.charCodeAt(0)), 144);
    return bytes;
  }

  it('passes the pixels as they are and says so: X-Edgepix-Fallback: icc-unconverted', async () => {
    const picture = ramps().colour;
    const png = await oracleEncodePng(picture);
    const chunkData = new Uint8Array([...'icc\0\0'].map((c) => c.charCodeAt(0)).concat([...deflate(lutOnlyProfile())]));
    const chunk = pngChunk('iCCP', chunkData);
    const tagged = new Uint8Array([...png.subarray(0, 33), ...chunk, ...png.subarray(33)]);
    const response = await img('format=png', await putOriginal(uniqueKey('lut.png'), tagged));
    expect(response.headers.get('X-Edgepix-Fallback')).toBe('icc-unconverted');
    expect([...(await decodeResponse(response)).data]).toEqual([...picture.data]);
  });
});
