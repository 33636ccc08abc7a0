/**
 * Cloudflare's geometry and tone options, end to end on originals made in
 * the test (jsquash's PNG encoder) and judged on pixels decoded by the
 * oracle: where a known corner goes, which way means and spreads move.
 */
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../src/spec/canonical';
import { parseOptions, splitOptions } from '../src/url/cloudflare/parse';
import { env } from 'cloudflare:test';
import { buildExif, withExif } from './exif-builder';
import { decodeResponse, encodeKey, expectProblem, fixture, img, putFixture, putOriginal, request, uniqueKey } from './helpers';
import { oracleDecode, oracleEncodePng, type Picture } from './oracle';
import { BLUE, GREEN, offCentre, pixel, quadrants, ramps, RED, stored, subjectShare, WHITE } from './pictures';

async function served(options: string, key: string) {
  return decodeResponse(await img(`${options},format=png`, key));
}

const channel = (p: Picture, c: number) => Array.from({ length: p.width * p.height }, (_, i) => p.data[i * 4 + c]!);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const spread = (values: number[]) => Math.sqrt(mean(values.map((v) => (v - mean(values)) ** 2)));
/** Mean distance of each pixel's channels from their own mean: zero for grey. */
const colourfulness = (p: Picture) =>
  mean(Array.from({ length: p.width * p.height }, (_, i) => {
    const [r, g, b] = [p.data[i * 4]!, p.data[i * 4 + 1]!, p.data[i * 4 + 2]!];
    const m = (r + g + b) / 3;
    return (Math.abs(r - m) + Math.abs(g - m) + Math.abs(b - m)) / 3;
  }));

describe('rotate and flip (Cloudflare: flip, then rotate; sizes refer to the turned picture)', () => {
  it('rotate=90 turns clockwise: the bottom-left corner comes to the top-left, and width is the new width', async () => {
    const key = await stored(quadrants());
    const out = await served('rotate=90', key);
    expect([out.width, out.height]).toEqual([20, 40]);
    expect(pixel(out, 0, 0)).toEqual(BLUE);
    expect(pixel(out, 19, 0)).toEqual(RED);
    expect(pixel(out, 0, 39)).toEqual(WHITE);
    const sized = await served('rotate=90,width=10', key);
    expect([sized.width, sized.height]).toEqual([10, 20]);
  });

  it('rotate=180 and 270', async () => {
    const key = await stored(quadrants());
    expect(pixel(await served('rotate=180', key), 0, 0)).toEqual(WHITE);
    const left = await served('rotate=270', key);
    expect([left.width, left.height]).toEqual([20, 40]);
    expect(pixel(left, 0, 0)).toEqual(GREEN);
  });

  it('flip=h, v and hv mirror; flip comes before rotate', async () => {
    const key = await stored(quadrants());
    expect(pixel(await served('flip=h', key), 0, 0)).toEqual(GREEN);
    expect(pixel(await served('flip=v', key), 0, 0)).toEqual(BLUE);
    expect(pixel(await served('flip=hv', key), 0, 0)).toEqual(WHITE);
    // Mirrored (green top-left, white bottom-left), then turned clockwise: white comes to the top-left.
    expect(pixel(await served('flip=h,rotate=90', key), 0, 0)).toEqual(WHITE);
  });

  it('options after a preset replace its options of the same name, in the turned frame too', async () => {
    const key = await stored(quadrants());
    const presets = { PRESETS: JSON.stringify({ turned: 'rotate=90,width=10,format=png' }) };
    const preset = await decodeResponse(await img('turned', key, {}, presets));
    expect([preset.width, preset.height]).toEqual([10, 20]);
    const wider = await decodeResponse(await img('turned,w=16', key, {}, presets));
    expect([wider.width, wider.height]).toEqual([16, 32]);
    expect(pixel(wider, 0, 0)).toEqual(BLUE);
  });

  it("a cover's gravity refers to the turned picture", async () => {
    const key = await stored(quadrants());
    // Turned, the picture is 20×40 with blue top-left and white bottom-left; a 20×20 cover at the bottom keeps white and green.
    const bottom = await served('rotate=90,width=20,height=20,fit=cover,gravity=bottom', key);
    expect([bottom.width, bottom.height]).toEqual([20, 20]);
    for (const y of [0, 19]) expect([pixel(bottom, 0, y), pixel(bottom, 19, y)]).toEqual([WHITE, GREEN]);
  });
});

describe('brightness, contrast, gamma, saturation (multipliers, 1 unchanged)', () => {
  it('brightness scales the mean; contrast scales the spread around mid-grey', async () => {
    const key = await stored(ramps().grey);
    const base = channel(await served('width=64', key), 0);
    const darker = channel(await served('brightness=0.5', key), 0);
    expect(mean(darker)).toBeCloseTo(mean(base) / 2, 0);
    const flatter = channel(await served('contrast=0.5', key), 0);
    expect(spread(flatter)).toBeCloseTo(spread(base) / 2, 0);
    expect(mean(flatter)).toBeCloseTo(128 + (mean(base) - 128) / 2, 0);
    expect(spread(channel(await served('contrast=2', key), 0))).toBeGreaterThan(spread(base) * 1.3); // clamped at the ends
  });

  it('gamma above 1 lightens the mid-tones, below 1 darkens them; ends stay put', async () => {
    const key = await stored(ramps().grey);
    const base = channel(await served('width=64', key), 0);
    const lighter = channel(await served('gamma=2', key), 0);
    const darker = channel(await served('gamma=0.5', key), 0);
    expect(mean(lighter)).toBeGreaterThan(mean(base) + 20);
    expect(mean(darker)).toBeLessThan(mean(base) - 20);
    // 255 × (128/255)^(1/2) = 181: the curve itself, not just its direction.
    expect(Math.abs(lighter[32]! - 255 * (base[32]! / 255) ** 0.5)).toBeLessThanOrEqual(1);
    expect([lighter[0], lighter[63]]).toEqual([0, 255]);
  });

  it('saturation=0 is grey, 2 more colourful, 1 unchanged', async () => {
    const key = await stored(ramps().colour);
    const base = await served('width=64', key);
    expect(colourfulness(await served('saturation=0', key))).toBeLessThan(1);
    expect(colourfulness(await served('saturation=2', key))).toBeGreaterThan(colourfulness(base) * 1.3);
    expect([...(await served('saturation=1', key)).data]).toEqual([...base.data]);
  });

  it('blur lowers edge energy, sharpen raises it', async () => {
    const key = await stored(quadrants());
    // The steepest step along row 5, across the red–green edge.
    const steepest = (p: Picture) => Math.max(...Array.from({ length: p.width - 1 }, (_, x) => Math.abs(p.data[(5 * p.width + x + 1) * 4]! - p.data[(5 * p.width + x) * 4]!)));
    const base = steepest(await served('width=40', key));
    const blurred = steepest(await served('blur=4', key));
    expect(blurred).toBeLessThan(base / 2);
    expect(steepest(await served('blur=4,sharpen=10', key))).toBeGreaterThan(blurred * 1.3);
  });
});

describe('output options', () => {
  it('quality names are numbers; format=baseline-jpeg is a baseline JPEG; compression=fast picks JPEG over WebP', async () => {
    const key = await stored(ramps().colour);
    const high = await img('quality=high,format=webp', key);
    const ninety = await img('quality=90,format=webp', key);
    expect(new Uint8Array(await high.arrayBuffer())).toEqual(new Uint8Array(await ninety.arrayBuffer()));

    const baseline = new Uint8Array(await (await img('format=baseline-jpeg', key)).arrayBuffer());
    const markers = (bytes: Uint8Array) => [0xc0, 0xc2].filter((m) => bytes.some((b, i) => b === 0xff && bytes[i + 1] === m));
    expect(markers(baseline)).toEqual([0xc0]); // SOF0, no SOF2
    expect(markers(new Uint8Array(await (await img('format=jpeg', key)).arrayBuffer()))).toEqual([0xc2]);

    const photo = await putFixture('formats/320x240.jpg');
    const fast = await img('width=100,format=auto,compression=fast', photo, { headers: { Accept: 'image/avif,image/webp' } });
    expect(fast.headers.get('Content-Type')).toBe('image/jpeg');
    expect(fast.headers.get('Vary')).toBeNull();
    const transparent = await img('format=auto,compression=fast', key, { headers: { Accept: 'image/webp' } });
    expect(transparent.headers.get('Content-Type')).toBe('image/png');
  });

  it('every invalid value is a 400 naming the option', async () => {
    const key = await stored(quadrants());
    for (const [option, name] of [['rotate=45', 'rotate'], ['flip=x', 'flip'], ['brightness=-1', 'brightness'], ['contrast=abc', 'contrast'],
      ['gamma=11', 'gamma'], ['saturation=NaN', 'saturation'], ['blur=251', 'blur'], ['sharpen=11', 'sharpen'], ['quality=best', 'quality'],
      ['compression=slow', 'compression'], ['format=gif2', 'format']]) {
      await expectProblem(await img(option!, key), 400, new RegExp(`for ${name} `));
    }
  });

  it('canonical: each option its own variant, spellings that mean the same one variant', () => {
    const canonical = (options: string) => canonicalize({ ...parseOptions(splitOptions(options), 12000), format: 'webp' });
    const forms = ['rotate=90', 'rotate=180', 'flip=h', 'flip=v', 'brightness=1.2', 'contrast=1.2', 'gamma=1.2', 'saturation=1.2', 'blur=3', 'sharpen=2']
      .map(canonical);
    expect(new Set([...forms, canonical('width=1')]).size).toBe(forms.length + 1);
    expect(canonical('brightness=1,contrast=1,gamma=1,saturation=1,width=5')).toBe(canonical('width=5'));
    expect(canonical('quality=high')).toBe(canonical('quality=90'));
  });
});

describe('gravity=auto (and Thumbor smart): the crop window follows the content', () => {
  it('keeps the off-centre subject that a centred crop cuts away', async () => {
    const key = await stored(offCentre());
    const centred = await served('width=200,height=200,fit=cover', key);
    expect(subjectShare(centred)).toBe(0);
    const auto = await served('width=200,height=200,fit=cover,gravity=auto', key);
    expect([auto.width, auto.height]).toEqual([200, 200]);
    // The whole subject (80×80 of 200×200) is inside the window.
    expect(subjectShare(auto)).toBeGreaterThan(0.15);
    const face = await served('width=200,height=200,fit=cover,gravity=face', key);
    expect([...face.data]).toEqual([...auto.data]);
  });

  it('Thumbor smart does the same', async () => {
    const key = await stored(offCentre());
    const response = await request(`/thumbor/unsafe/200x200/smart/${encodeKey(key)}`, {}, { THUMBOR_ALLOW_UNSAFE: 'true' });
    expect(subjectShare(await decodeResponse(response))).toBeGreaterThan(0.15);
  });

  it('is its own variant', () => {
    const canonical = (options: string) => canonicalize({ ...parseOptions(splitOptions(options), 12000), format: 'webp' });
    expect(canonical('w=10,h=10,fit=cover,gravity=auto')).not.toBe(canonical('w=10,h=10,fit=cover'));
    expect(canonical('w=10,h=10,fit=cover,gravity=face')).toBe(canonical('w=10,h=10,fit=cover,gravity=auto'));
  });
});

describe('trim: edges cut off the original before anything else', () => {
  it('top;right;bottom;left, and trim.width/height/left/top', async () => {
    const key = await stored(quadrants());
    const cut = await served('trim=5;10;5;10', key);
    expect([cut.width, cut.height]).toEqual([20, 10]);
    expect([pixel(cut, 0, 0), pixel(cut, 19, 0), pixel(cut, 0, 9), pixel(cut, 19, 9)]).toEqual([RED, GREEN, BLUE, WHITE]);
    const strip = await served('trim.left=25,trim.width=10', key);
    expect([strip.width, strip.height]).toEqual([10, 20]);
    expect([pixel(strip, 0, 0), pixel(strip, 9, 19)]).toEqual([GREEN, WHITE]);
    // Before resizing and turning: the box applies to what is left.
    const turned = await served('trim=0;20;0;0,rotate=90,width=10', key);
    expect([turned.width, turned.height]).toEqual([10, 10]);
  });

  it('trim=border finds the transparent border of trim-mc.png where sharp.trim() does (179×123 at 13,44)', async () => {
    const key = await putFixture('formats/trim-mc.png');
    const trimmed = await served('trim=border', key);
    expect([trimmed.width, trimmed.height]).toEqual([179, 123]);
    const kept = await served('trim=border,trim.border.keep=2', key);
    expect([kept.width, kept.height]).toEqual([183, 127]);
    const photo = await putFixture('formats/320x240.jpg');
    const untouched = await decodeResponse(await img('trim=border,trim.border.tolerance=0', photo));
    expect([untouched.width, untouched.height]).toEqual([320, 240]);
  });

  it('bad trims are a 400 naming the option', async () => {
    const key = await stored(quadrants());
    await expectProblem(await img('trim=1;2;3', key), 400, /for trim /);
    await expectProblem(await img('trim.width=0', key), 400, /for trim\.width /);
    await expectProblem(await img('trim=border,trim.left=3', key), 400, /cannot be combined/);
    await expectProblem(await img('trim.border.tolerance=256', key), 400, /for trim\.border\.tolerance /);
  });

  it('is its own variant', () => {
    const canonical = (options: string) => canonicalize({ ...parseOptions(splitOptions(options), 12000), format: 'webp' });
    const forms = ['trim=1;0;0;0', 'trim=0;1;0;0', 'trim.width=5', 'trim=border', 'trim.border.keep=1', 'trim.border.tolerance=3', 'trim.border.color=red'].map(canonical);
    expect(new Set([...forms, canonical('width=1')]).size).toBe(forms.length + 1);
  });
});

describe('border: a frame around the finished picture', () => {
  it('border.width and border.color frame every side; a side overrides the width; dpr scales it', async () => {
    const key = await stored(quadrants());
    const framed = await served('width=20,border.width=3,border.color=%2300ff00', key);
    expect([framed.width, framed.height]).toEqual([26, 16]);
    expect([pixel(framed, 0, 0), pixel(framed, 25, 15), pixel(framed, 2, 8)]).toEqual([GREEN, GREEN, GREEN]);
    expect(pixel(framed, 3, 3)).toEqual(RED);
    const sides = await served('border.top=2,border.width=1', key);
    expect([sides.width, sides.height]).toEqual([42, 23]);
    expect(pixel(sides, 5, 1)).toEqual([0, 0, 0]); // black by default
    expect(pixel(sides, 5, 2)).toEqual(RED);
    const doubled = await served('width=10,dpr=2,border.width=2', key);
    expect([doubled.width, doubled.height]).toEqual([28, 18]); // 20×10, and 4 px a side
  });

  it('comes after rotate: the sides are those of the output', async () => {
    const key = await stored(quadrants());
    const turned = await served('rotate=90,border.top=5', key);
    expect([turned.width, turned.height]).toEqual([20, 45]);
    expect(pixel(turned, 0, 5)).toEqual(BLUE);
  });

  it('bad widths are a 400; an output over MAX_OUTPUT_DIMENSION with its border is a 413', async () => {
    const key = await stored(quadrants());
    await expectProblem(await img('border.width=1001', key), 400, /for border\.width /);
    await expectProblem(await img('width=40,border.width=10', key, {}, { MAX_OUTPUT_DIMENSION: '50', PRESETS: '{}' }), 413);
  });
});

describe('draw: an overlay (watermark) from another original', () => {
  const MAGENTA = [255, 0, 255];
  const solid = (width: number, height: number, [r, g, b]: number[], a = 255): Picture =>
    ({ width, height, data: new Uint8ClampedArray(width * height * 4).map((_, i) => [r!, g!, b!, a][i % 4]!) });
  const mark = async (picture = solid(8, 4, MAGENTA)) => encodeURIComponent(await stored(picture));

  it('is placed by its edge offsets, centred otherwise, and blended at its opacity', async () => {
    const key = await stored(quadrants());
    const logo = await mark();
    const corner = await served(`draw=${logo},draw.bottom=0,draw.right=0`, key);
    expect([pixel(corner, 39, 19), pixel(corner, 32, 16), pixel(corner, 31, 15)]).toEqual([MAGENTA, MAGENTA, WHITE]);
    const centred = await served(`draw=${logo}`, key);
    expect([pixel(centred, 16, 8), pixel(centred, 23, 11), pixel(centred, 15, 8)]).toEqual([MAGENTA, MAGENTA, RED]);
    const faint = await served(`draw=${logo},draw.top=0,draw.left=0,draw.opacity=0.5`, key);
    expect(pixel(faint, 0, 0)).toEqual([255, 0, 128]); // half magenta over red
  });

  it('repeat tiles it; draw.width sizes it; it is drawn after rotate, on the output', async () => {
    const key = await stored(quadrants());
    const logo = await mark();
    const tiled = await served(`draw=${logo},draw.repeat=true`, key);
    for (const [x, y] of [[0, 0], [39, 19], [5, 13]]) expect(pixel(tiled, x!, y!)).toEqual(MAGENTA);
    const strip = await served(`draw=${logo},draw.repeat=x,draw.top=0`, key);
    expect([pixel(strip, 0, 0), pixel(strip, 39, 3), pixel(strip, 0, 4)]).toEqual([MAGENTA, MAGENTA, RED]);
    const small = await served(`draw=${logo},draw.width=4,draw.top=0,draw.left=0`, key);
    expect([pixel(small, 3, 1), pixel(small, 4, 0), pixel(small, 0, 2)]).toEqual([MAGENTA, RED, RED]);
    const turned = await served(`rotate=90,draw=${logo},draw.top=0,draw.left=0`, key);
    expect([pixel(turned, 7, 3), pixel(turned, 8, 0)]).toEqual([MAGENTA, BLUE]);
  });

  it("Thumbor's watermark(image, x, y, alpha[, w_ratio, h_ratio]) is the same step", async () => {
    const key = encodeKey(await stored(quadrants()));
    const logo = await stored(solid(8, 4, MAGENTA));
    const response = await request(`/thumbor/unsafe/filters:watermark(${logo},-0,-0,50):format(png)/${key}`, {}, { THUMBOR_ALLOW_UNSAFE: 'true' });
    const out = await decodeResponse(response);
    expect(pixel(out, 39, 19)).toEqual([255, 128, 255]); // half magenta over white
    const sized = await decodeResponse(await request(`/thumbor/unsafe/filters:watermark(${logo},0,0,0,10,none):format(png)/${key}`, {}, { THUMBOR_ALLOW_UNSAFE: 'true' }));
    expect([pixel(sized, 3, 1), pixel(sized, 4, 1)]).toEqual([MAGENTA, RED]); // 10 % of 40 px: 4 px wide
  });

  it('replacing the overlay makes a new variant; a missing one is a 404; bad options a 400', async () => {
    const key = await stored(quadrants());
    const logoKey = await stored(solid(8, 4, MAGENTA));
    const fresh = { ORIGINAL_LOOKUP_TTL: '0' };
    const before = await decodeResponse(await img(`draw=${encodeURIComponent(logoKey)},draw.top=0,draw.left=0,format=png`, key, {}, fresh));
    expect(pixel(before, 0, 0)).toEqual(MAGENTA);
    await env.ORIGINALS.put(logoKey, await oracleEncodePng(solid(8, 4, GREEN)));
    const after = await decodeResponse(await img(`draw=${encodeURIComponent(logoKey)},draw.top=0,draw.left=0,format=png`, key, {}, fresh));
    expect(pixel(after, 0, 0)).toEqual(GREEN);

    await expectProblem(await img(`draw=${encodeURIComponent(uniqueKey('none.png'))}`, key), 404);
    await expectProblem(await img('draw.width=10', key), 400, /need draw=<key>/);
    await expectProblem(await img(`draw=${encodeURIComponent(logoKey)},draw.opacity=2`, key), 400, /for draw\.opacity /);
    await expectProblem(await img(`draw=${encodeURIComponent(logoKey)},draw.repeat=z`, key), 400, /for draw\.repeat /);
  });
});

describe('metadata: the EXIF a JPEG output carries', () => {
  const COPYRIGHT = 'Photo: A. Person';
  /** The original: IFD0 with Make, Copyright and Orientation 6, and a GPS position. */
  async function tagged() {
    const tiff = buildExif(
      [[0x010f, { ascii: 'Camera Co' }], [0x8298, { ascii: COPYRIGHT }], [0x0112, { short: 6 }]],
      [],
      [[1, { ascii: 'N' }], [2, { rationals: [[52, 1], [22, 1], [0, 1]] }], [3, { ascii: 'E' }], [4, { rationals: [[4, 1], [53, 1], [0, 1]] }]],
    );
    return { key: await putOriginal(uniqueKey('tagged.jpg'), withExif(await fixture('formats/320x240.jpg'), tiff)), tiff };
  }
  /** The TIFF block of the output's APP1 Exif segment, read by this test, or undefined. */
  function app1(jpeg: Uint8Array): Uint8Array | undefined {
    for (let at = 2; at + 4 < jpeg.length && jpeg[at] === 0xff; at += 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!)) {
      const length = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
      if (jpeg[at + 1] === 0xe1 && String.fromCharCode(...jpeg.subarray(at + 4, at + 8)) === 'Exif') return jpeg.slice(at + 10, at + 2 + length);
      if (jpeg[at + 1] === 0xda) break;
    }
    return undefined;
  }
  const text = (bytes: Uint8Array | undefined) => String.fromCharCode(...(bytes ?? []));
  const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());

  it('by default only the copyright survives; GPS and the camera are gone', async () => {
    const { key } = await tagged();
    const exif = app1(await bytesOf(await img('width=100,format=jpeg', key)));
    expect(text(exif)).toContain(COPYRIGHT);
    expect(text(exif)).not.toContain('Camera Co');
    expect(text(exif)).not.toContain('N\0');
  });

  it('keep carries the whole block, GPS included, with Orientation 1 (the pixels are upright); none carries nothing', async () => {
    const { key, tiff } = await tagged();
    const response = await img('width=100,format=jpeg,metadata=keep', key);
    const out = await bytesOf(response);
    const exif = app1(out)!;
    expect(exif.length).toBe(tiff.length);
    const orientationAt = [...Array(exif.length - 1).keys()].find((i) => exif[i] === 0x01 && exif[i + 1] === 0x12)!;
    expect([exif[orientationAt + 8], exif[orientationAt + 9]]).toEqual([0, 1]);
    expect([...exif.subarray(0, orientationAt)]).toEqual([...tiff.subarray(0, orientationAt)]);
    const upright = await oracleDecode(out);
    expect([upright.width, upright.height]).toEqual([100, 133]); // orientation 6: turned, 240×320 before resizing
    expect(app1(await bytesOf(await img('width=100,format=jpeg,metadata=none', key)))).toBeUndefined();
    expect(app1(await bytesOf(await img('width=100,format=jpeg', await putFixture('formats/320x240.jpg'))))).toBeUndefined();
  });

  it('WebP and PNG carry it too, in their own chunks, and still decode; bad values are a 400', async () => {
    const { key } = await tagged();
    const webp = await bytesOf(await img('width=100,format=webp,metadata=keep', key));
    expect(text(webp.subarray(12, 16))).toBe('VP8X');
    expect(text(webp)).toContain('EXIF');
    expect(text(webp)).toContain(COPYRIGHT);
    expect((await oracleDecode(webp)).width).toBe(100);
    const png = await bytesOf(await img('width=100,format=png', key));
    expect(text(png)).toContain('eXIf');
    expect(text(png)).toContain(COPYRIGHT);
    expect(text(png)).not.toContain('Camera Co');
    expect((await oracleDecode(png)).width).toBe(100);
    expect(text(await bytesOf(await img('width=100,format=webp', await putFixture('formats/320x240.jpg'))))).not.toContain('EXIF');
    await expectProblem(await img('metadata=all', key), 400, /for metadata /);
  });

  it('keep keeps the ICC profile and the colours it describes; otherwise they are converted to sRGB and no profile is sent', async () => {
    const key = await putFixture('derived/p3-colours.png');
    for (const [format, marker] of [['png', 'iCCP'], ['webp', 'ICCP'], ['jpeg', 'ICC_PROFILE']] as const) {
      const kept = await bytesOf(await img(`format=${format},metadata=keep,quality=100`, key));
      expect(text(kept), format).toContain(marker);
      expect((await oracleDecode(kept)).width, format).toBe(64);
      const converted = await bytesOf(await img(`format=${format},quality=100`, key));
      expect(text(converted), format).not.toContain(marker);
    }
    // Kept, the pixels are the file's own (P3) values, which a profile-aware viewer shows right.
    const kept = await oracleDecode(await bytesOf(await img('format=png,metadata=keep', key)));
    const own = await oracleDecode(await fixture('derived/p3-colours.png'));
    expect([...kept.data]).toEqual([...own.data]);
  });
});

describe('slow-connection-quality (scq): another quality for clients on a slow connection', () => {
  it.each([
    [{ 'Save-Data': 'on' }, true], [{ ECT: '3g' }, true], [{ RTT: '300' }, true], [{ Downlink: '1.5' }, true],
    [{ ECT: '4g', RTT: '50', Downlink: '10' }, false], [{}, false],
  ])('hints %j: slow %s', async (hints, slow) => {
    const key = await putFixture('formats/320x240.jpg');
    const response = await img('width=200,format=webp,scq=20', key, { headers: hints });
    expect(response.headers.get('Vary')).toBe('Save-Data, ECT, RTT, Downlink');
    const bytes = new Uint8Array(await response.arrayBuffer());
    const expected = new Uint8Array(await (await img(`width=200,format=webp${slow ? ',quality=20' : ''}`, key)).arrayBuffer());
    expect(bytes).toEqual(expected);
  });

  it('without the option, hints change nothing and are not in Vary', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const response = await img('width=200,format=auto', key, { headers: { 'Save-Data': 'on', Accept: 'image/webp' } });
    expect(response.headers.get('Vary')).toBe('Accept');
    await expectProblem(await img('scq=0', key), 400, /for slow-connection-quality /);
  });
});
