import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/codecs';
import { probe } from '../src/codecs/probe';
import { decodedFixture, decodeResponse, expectProblem, fixture, img, listFixtures, meanDifference, putFixture, putOriginal, reference, uniqueKey } from './helpers';
import { boxDownscale, meanAbsDiff, oracleDecode } from './oracle';

describe('input formats (detected by content, whatever the key says)', () => {
  // [fixture, width, height]
  // Against the original as jsquash decodes it, both area-averaged to 16 px wide (a quarter of the thumbnail,
  // below where Lanczos3 and area averaging part): photos differ by 0–2 levels, the alpha-edged WebP by 4.3
  // (Lanczos rings at its edges); a flat grey thumbnail by 20–70.
  it.each([
    ['formats/320x240.jpg', 2.5],
    ['formats/flowers.jpeg', 2.5],
    ['formats/gamma_dalai_lama_gray.jpg', 2.5],
    ['formats/with-alpha.png', 2.5],
    ['formats/16-bit-grey-alpha.png', 2.5],
    ['formats/p3.png', 2.5],
    ['formats/4.webp', 2.5],
    ['formats/5_webp_a.webp', 6],
    ['formats/pitm.avif', 2.5],
    ['formats/sdr_cosmos12920_cicp1-13-6_yuv444_full_qp10.avif', 2.5],
  ])('%s decodes and resizes to 64 px wide, still the same picture (mean |Δ| < %s at 16 px)', async (path, tolerance) => {
    const bytes = await fixture(path);
    const key = await putOriginal(uniqueKey('image.bin'), bytes);
    const image = await decodeResponse(await img('width=64,fit=contain,format=png', key));
    expect(image.width).toBe(64);
    expect(await meanDifference(image, await oracleDecode(bytes), 16)).toBeLessThan(tolerance);
  });

  it('CMYK JPEG decodes to the same colours as its sRGB rendering would (not inverted)', async () => {
    const image = await decodeResponse(await img('width=64,format=png', await putFixture('formats/Channel_digital_image_CMYK_color.jpg')));
    // jsquash's mozjpeg will not convert CMYK, so the reference is sharp's thumbnail, converted by its CMYK
    // ICC profile; edgepix converts without one, so they differ by about 11 levels (inverted: 60).
    expect(meanAbsDiff(image, await reference('cmyk.jpg@64'))).toBeLessThan(16);
    let sum = 0;
    for (let i = 0; i < image.data.length; i += 4) sum += image.data[i]! + image.data[i + 1]! + image.data[i + 2]!;
    // The photo is mid-toned; an inverted decode would be very dark or very light.
    const mean = sum / (image.data.length / 4) / 3;
    expect(mean).toBeGreaterThan(60);
    expect(mean).toBeLessThan(200);
  });
});

describe('output formats', () => {
  const MAGIC: Record<string, (b: Uint8Array) => boolean> = {
    jpeg: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
    png: (b) => b[0] === 0x89 && String.fromCharCode(...b.subarray(1, 4)) === 'PNG',
    webp: (b) => String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP',
    avif: (b) => String.fromCharCode(...b.subarray(4, 8)) === 'ftyp' && String.fromCharCode(...b.subarray(8, 12)) === 'avif',
  };

  it.each(['jpeg', 'png', 'webp', 'avif'])('format=%s has its magic bytes and decodes to the same picture', async (format) => {
    const key = await putFixture('formats/320x240.jpg');
    const response = await img(`width=160,format=${format}`, key);
    const bytes = new Uint8Array(await response.clone().arrayBuffer());
    expect(MAGIC[format]!(bytes)).toBe(true);
    const image = await decodeResponse(response);
    expect([image.width, image.height]).toEqual([160, 120]);
    // Against the original itself (decoded by jsquash), 48 px wide: 1.3 for PNG, up to 1.8 for the lossy formats at their default quality.
    expect(await meanDifference(image, await decodedFixture('formats/320x240.jpg'))).toBeLessThan(3);
  });

  it('quality changes the bytes (q=30 smaller than q=90)', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const low = (await (await img('format=webp,quality=30', key)).arrayBuffer()).byteLength;
    const high = (await (await img('format=webp,quality=90', key)).arrayBuffer()).byteLength;
    expect(low).toBeLessThan(high);
  });

  it('flattens alpha onto white for JPEG, or onto the background colour', async () => {
    const key = await putFixture('formats/with-alpha.png'); // uniformly 66% opaque
    const straight = await decodeResponse(await img('format=png', key));
    const [r, g, b, a] = [...straight.data.subarray(0, 4)] as [number, number, number, number];
    expect(a).toBeLessThan(255);
    const over = (c: number, bg: number) => (c * a + bg * (255 - a)) / 255;
    const white = await decodeResponse(await img('format=jpeg,quality=100', key));
    [r, g, b].forEach((c, i) => expect(Math.abs(white.data[i]! - over(c, 255))).toBeLessThan(8));
    const red = await decodeResponse(await img('format=png,background=%23ff0000', key));
    const expected = [over(r, 255), over(g, 0), over(b, 0), 255];
    expected.forEach((c, i) => expect(Math.abs(red.data[i]! - c)).toBeLessThanOrEqual(1));
  });

  it('pads with the background colour', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const image = await decodeResponse(await img('width=100,height=100,fit=pad,background=blue,format=png', key));
    expect([image.width, image.height]).toEqual([100, 100]);
    expect([...image.data.subarray(0, 4)]).toEqual([0, 0, 255, 255]); // top border
    const centre = (50 * 100 + 50) * 4;
    expect([...image.data.subarray(centre, centre + 3)]).not.toEqual([0, 0, 255]);
  });
});

describe('format=auto', () => {
  it.each([
    ['image/avif,image/webp,*/*', 'formats/320x240.jpg', 'avif'],
    ['image/webp,*/*', 'formats/320x240.jpg', 'webp'],
    ['image/avif;q=0,image/webp', 'formats/320x240.jpg', 'webp'],
    ['*/*', 'formats/320x240.jpg', 'jpeg'],
    ['', 'formats/with-alpha.png', 'png'],
    ['image/*', 'formats/4.webp', 'jpeg'],
    ['image/png', 'formats/5_webp_a.webp', 'png'],
  ])('Accept "%s" for %s → %s, with Vary: Accept', async (accept, path, format) => {
    const key = await putFixture(path);
    const response = await img('width=50,format=auto', key, { headers: { Accept: accept } });
    expect(response.headers.get('Vary')).toBe('Accept');
    expect((await decodeResponse(response)).format).toBe(format);
  });

  it('keeps the original format without format= and sends no Vary', async () => {
    const response = await img('width=50', await putFixture('formats/4.webp'), { headers: { Accept: 'image/avif' } });
    expect(response.headers.get('Vary')).toBeNull();
    expect((await decodeResponse(response)).format).toBe('webp');
  });
});

describe('PngSuite', () => {
  it('decodes every valid PNG in the suite', async () => {
    const names = (await listFixtures('png')).filter((n) => n.endsWith('.png'));
    expect(names.length).toBeGreaterThan(150);
    for (const name of names) {
      const key = await putFixture(`png/${name}`);
      const image = await decodeResponse(await img('format=png,width=16,fit=contain', key));
      expect(image.width, name).toBe(16);
    }
  });
});

describe('JPEG shrink-on-load', () => {
  it('decodes no larger than needed: 1/8 scale for a small output', async () => {
    const bytes = await fixture('photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg');
    const image = await decodeImage('jpeg', bytes, { minWidth: 400, minHeight: 300 });
    expect([image.width, image.height]).toEqual([504, 378]); // ceil(4032/8) × ceil(3024/8)
    const full = await decodeImage('jpeg', bytes, { minWidth: 4032, minHeight: 3024 });
    expect([full.width, full.height]).toEqual([4032, 3024]);
  });

  it('at 1/8 a progressive file decodes from luma DC coefficients alone (AC scans skipped), matching the full decode averaged 8×8', async () => {
    const bytes = await fixture('photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg');
    expect(probe(bytes).progressive).toBe(true);
    const eighth = await decodeImage('jpeg', bytes, { minWidth: 400, minHeight: 300 });
    // The reference: mozjpeg's full decode (jsquash), averaged over 8×8 blocks by the test's own box downscale.
    const averaged = boxDownscale(await oracleDecode(bytes), eighth.width, eighth.height);
    expect(await meanDifference(eighth, averaged)).toBeLessThan(1.5);
  });

  it('a JPEG cut off mid-scan is corrupt (422), not served grey', async () => {
    const bytes = await fixture('formats/320x240.jpg');
    const key = await putOriginal(uniqueKey('cut.jpg'), bytes.slice(0, bytes.length / 2));
    const response = await img('width=100', key);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/Premature end/);
  });
});

describe('shrink-on-load, as the plan states it before decoding', () => {
  // A budget of 1 MB refuses every one of these up front; the 413 names the size the planner asked the
  // decoder for: the smallest JPEG DCT scale (1/2, 1/4, 1/8) or AVIF box factor that still covers the output.
  it.each([
    ['photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg', 'width=400', '504×378'], // 4032×3024 at 1/8
    ['photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg', 'width=1000', '1008×756'], // at 1/4
    ['formats/flowers.jpeg', 'width=400', '480×270'], // 1920×1080 at 1/4
    ['formats/pitm.avif', 'width=400', '820×160'], // 4096×800, box ÷5
    ['derived/yuv444.avif', 'width=200', '450×300'], // 900×600, box ÷2
  ])('%s at %s is decoded at %s', async (path, options, decoded) => {
    const response = await img(options, await putFixture(path), undefined, { MAX_WORKING_MEMORY: '1000000' });
    await expectProblem(response, 413, new RegExp(` decoded at ${decoded},`));
  });
});

describe('the decoder has the last word on size', () => {
  it('pitm.avif, whose primary item header differs from what decodes, keeps the decoded aspect ratio', async () => {
    const bytes = await fixture('formats/pitm.avif');
    const full = await oracleDecode(bytes);
    const image = await decodeResponse(await img('width=400,format=png', await putOriginal(uniqueKey('p.avif'), bytes)));
    expect([image.width, image.height]).toEqual([400, Math.round((400 * full.height) / full.width)]);
  });
});

describe('header facts the cost model depends on', () => {
  it.each([
    ['derived/yuv420.avif', { bitDepth: 8, chroma: '420' }],
    ['derived/yuv444.avif', { bitDepth: 8, chroma: '444' }],
    ['derived/rgb16.png', { bitDepth: 16, channels: 3, interlaced: false }],
    ['derived/interlaced.png', { bitDepth: 8, channels: 3, interlaced: true }],
    ['derived/palette.png', { channels: 1 }],
    ['derived/lossless.webp', { lossless: true }],
    ['derived/lossy.webp', { lossless: false }],
    ['derived/progressive.jpg', { progressive: true, arithmetic: false }],
    ['derived/arithmetic-progressive.jpg', { progressive: true, arithmetic: true }],
  ])('%s: %o', async (path, facts) => {
    expect(probe(await fixture(path))).toMatchObject(facts);
  });

  it('a WebP whose VP8X flag hides its ALPH chunk still has alpha (the decoder uses the chunk)', async () => {
    const bytes = (await fixture('formats/5_webp_a.webp')).slice();
    expect(probe(bytes).hasAlpha).toBe(true);
    bytes[20]! &= ~0x10; // VP8X's alpha flag, in the first byte of its payload
    expect(probe(bytes).hasAlpha).toBe(true);
  });
});
