/**
 * Thumbor-compatible URLs, as real libthumbor made them (test/thumbor/libthumbor-urls.json,
 * kept fresh by test/node/libthumbor.test.mjs): served with the right pixels, and refused when altered.
 */
import readme from '../README.md?raw';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_FILTERS } from '../src/url/thumbor/filters';
import type { Picture as RgbaImage } from './oracle';
import table from './thumbor/cases.json';
import generated from './thumbor/libthumbor-urls.json';
import { decodedFixture, decodeResponse, expectProblem, fixture, meanDifference, putOriginal, request } from './helpers';
import { requestWithoutR2 } from './without-r2';

interface Case {
  name: string;
  /** Its own key instead of table.image, e.g. with non-ASCII characters. */
  image?: string;
  options: Record<string, unknown>;
  expect?: [number, number];
  format?: string;
  check?: 'flipped-horizontally' | 'flipped-vertically' | 'gray' | 'red-border';
  maxBytes?: number;
  meta?: { source: [number, number]; target: [number, number] };
  unsafe?: boolean;
}

const VARS = { THUMBOR_SECURITY_KEY: table.securityKey, THUMBOR_ALLOW_UNSAFE: 'true' };
const urls = new Map(generated.map((g) => [g.name, g.url]));
const cases = (table.cases as unknown as Case[]).map((c) => ({ ...c, url: urls.get(c.name)! }));
const thumbor = (url: string, vars: Record<string, string> = VARS) => request(`/thumbor${url}`, undefined, vars);

function mirrored(image: RgbaImage, horizontal: boolean): RgbaImage {
  const { width, height } = image;
  const src = new Uint32Array(image.data.buffer, image.data.byteOffset, width * height);
  const out = new Uint32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      out[y * width + x] = horizontal ? src[y * width + (width - 1 - x)]! : src[(height - 1 - y) * width + x]!;
    }
  }
  return { width, height, data: new Uint8ClampedArray(out.buffer) };
}


/** Cases whose output is the whole picture, only resized (no crop, flip, turn or effect). */
const WHOLE_PICTURE = new Set([
  'width only', 'height only', 'width only, enlarging', 'orig width keeps the original', 'fit-in', 'fit-in never enlarges',
  'fit-in with upscale()', 'full-fit-in covers the box', 'full-fit-in may enlarge', 'adaptive-fit-in turns the box',
  'quality and format', 'no_upscale', 'metadata filters and background', 'max_bytes', 'unsafe',
]);

const pixel = (image: RgbaImage, x: number, y: number) => [...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4)];

beforeAll(async () => {
  // libthumbor signed the keys, so every run uses the same ones (same bytes each time).
  const source = await fixture(table.source);
  for (const image of new Set([table.image, ...cases.map((c) => c.image ?? table.image)])) await putOriginal(image, source);
});

it('every case has a libthumbor URL (regenerate with npm run thumbor:urls)', () => {
  expect(generated.map((g) => g.name)).toEqual(table.cases.map((c) => c.name));
});

describe('libthumbor URLs are served as Thumbor would size them', () => {
  it.each(cases.filter((c) => c.expect))('$name: $url', async (c) => {
    const response = await thumbor(c.url);
    if (c.maxBytes) expect(Number(response.headers.get('Content-Length'))).toBeLessThanOrEqual(c.maxBytes);
    const image = await decodeResponse(response);
    expect([image.width, image.height]).toEqual(c.expect);
    expect(image.format).toBe(c.format ?? 'jpeg');
    if (WHOLE_PICTURE.has(c.name)) {
      // The whole original, resized (jsquash's decode): compared 16 px wide, 0.5–3.1 levels off (JPEG at
      // Thumbor's quality, the 50 px PNG); max_bytes squeezes the JPEG to 4.7. Flat grey would be 57 off.
      const tolerance = c.maxBytes ? 6 : 3.5;
      expect(await meanDifference(image, await decodedFixture(table.source), 16)).toBeLessThan(tolerance);
    }
    if (c.check === 'flipped-horizontally' || c.check === 'flipped-vertically') {
      // Both flip cases show the whole picture, so the reference is the original itself (jsquash's decode).
      const plain = await decodedFixture(table.source);
      expect(image.width / image.height).toBeCloseTo(plain.width / plain.height, 2);
      const horizontal = c.check === 'flipped-horizontally';
      // Compared 25 px wide: 2.2 levels from the mirrored original (JPEG at Thumbor's quality), 6.9 and 11.6
      // from the unmirrored one (the picture is nearly symmetric left to right).
      const asMirrored = await meanDifference(mirrored(plain, horizontal), image, 25);
      expect(asMirrored).toBeLessThan(3);
      expect(await meanDifference(plain, image, 25)).toBeGreaterThan(asMirrored + 3);
    }
    if (c.check === 'gray') {
      for (let i = 0; i < image.data.length; i += 4 * 37) {
        expect(Math.abs(image.data[i]! - image.data[i + 1]!)).toBeLessThanOrEqual(3);
        expect(Math.abs(image.data[i + 1]! - image.data[i + 2]!)).toBeLessThanOrEqual(3);
      }
    }
    if (c.check === 'red-border') {
      // 320×240 fits as 100×75 on a 100×100 canvas: rows above and below are the fill colour.
      for (const [r, g, b] of [pixel(image, 50, 2), pixel(image, 50, 97)]) {
        expect(r).toBeGreaterThan(240);
        expect(g! + b!).toBeLessThan(30);
      }
    }
  });

  it('/meta/ describes the result as JSON without serving pixels', async () => {
    const c = cases.find((x) => x.meta)!;
    const response = await thumbor(c.url);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { thumbor: { source: { width: number; height: number }; target: { width: number; height: number }; operations: { type: string }[] } };
    expect([body.thumbor.source.width, body.thumbor.source.height]).toEqual(c.meta!.source);
    expect([body.thumbor.target.width, body.thumbor.target.height]).toEqual(c.meta!.target);
    expect(body.thumbor.operations.map((o) => o.type)).toEqual(['crop', 'resize']);
  });

  it('answers If-None-Match with 304 and allows any origin, like /img', async () => {
    const c = cases.find((x) => x.name === 'width only')!;
    const first = await thumbor(c.url);
    expect(first.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const etag = first.headers.get('ETag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await request(`/thumbor${c.url}`, { headers: { 'If-None-Match': etag } }, VARS);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('shares variants with the edgepix dialect: same transformation, same stored variant', async () => {
    const both = cases.find((c) => c.name === 'both sides: fill the box and crop')!;
    await thumbor(both.url);
    // Thumbor keeps no EXIF, as metadata=none says in the /img dialect.
    const same = await request(`/img/width=100,height=100,fit=cover,metadata=none/${table.image}`);
    expect(same.headers.get('X-Edgepix-Cache')).toBe('edge');
  });
});

describe('altered or unauthorised Thumbor URLs are refused', () => {
  const signed = cases.filter((c) => !c.unsafe && c.expect);
  const flipAt = (url: string, index: number) =>
    url.slice(0, index) + (url[index] === '1' ? '2' : url[index] === 'a' ? 'b' : '1') + url.slice(index + 1);
  const tampers: [string, (url: string) => string][] = [
    ['a character of the options', (u) => flipAt(u, u.indexOf('/', 1) + 1)],
    ['a character of the image key', (u) => u.replace('320x240.jpg', '320x241.jpg')],
    ['a character of the signature', (u) => flipAt(u, 1)],
    ['the signature without its padding', (u) => u.replace('=/', '/')],
    ['an appended filter', (u) => u.replace('/thumbor-fixtures', '/filters:quality(10)/thumbor-fixtures')],
    // Escapes a URL parser would not make stay as they are when checking the libthumbor spelling.
    ['an options character respelled as a percent-escape', (u) => {
      const at = u.indexOf('/', 1) + 1;
      return `${u.slice(0, at)}%${u.charCodeAt(at).toString(16).toUpperCase()}${u.slice(at + 1)}`;
    }],
  ];
  it.each(tampers)('%s', async (_, tamper) => {
    for (const c of signed.slice(0, 6)) {
      const body = await expectProblem(await requestWithoutR2(`/thumbor${tamper(c.url)}`, VARS), 403);
      expect(body.detail).toBe('The URL signature is not valid.');
    }
  });

  it('a non-ASCII key altered by one character', async () => {
    for (const c of signed.filter((x) => x.image)) {
      const body = await expectProblem(await requestWithoutR2(`/thumbor${c.url.replace('.jpg', 'ё.jpg')}`, VARS), 403);
      expect(body.detail).toBe('The URL signature is not valid.');
    }
  });

  it('a URL signed with another key', async () => {
    const body = await expectProblem(await thumbor(signed[0]!.url, { THUMBOR_SECURITY_KEY: 'another key' }), 403);
    expect(body.type).toMatch(/#problem-invalid-signature$/);
  });

  it('unsafe URLs only with THUMBOR_ALLOW_UNSAFE=true', async () => {
    const unsafe = cases.find((c) => c.unsafe)!;
    const body = await expectProblem(await thumbor(unsafe.url, { THUMBOR_SECURITY_KEY: table.securityKey }), 403);
    expect(body.type).toMatch(/#problem-signature-required$/);
  });

  it('no security key: signed URLs fail closed with a 500 naming the variable', async () => {
    await expectProblem(await thumbor(signed[0]!.url, { THUMBOR_SECURITY_KEY: '' }), 500, /THUMBOR_SECURITY_KEY/);
  });

  it('the mount point is configurable', async () => {
    const response = await request(`/t${signed[0]!.url}`, undefined, { ...VARS, THUMBOR_PATH_PREFIX: '/t' });
    expect((await decodeResponse(response)).width).toBe(100);
    await expectProblem(await thumbor(signed[0]!.url, { ...VARS, THUMBOR_PATH_PREFIX: '/t' }), 404);
    await expectProblem(await thumbor(signed[0]!.url, { ...VARS, THUMBOR_PATH_PREFIX: '/img' }), 500, /THUMBOR_PATH_PREFIX: must not be \/img/);
  });
});

describe('unsupported or malformed Thumbor options are a clear 400', () => {
  it.each([
    ['/unsafe/100x0/filters:convolution(1;2;1,3,false)/x.jpg', 400, /Filter "convolution" is not supported; supported filters: quality/],
    ['/unsafe/100x0/filters:fill(blur)/x.jpg', 400, /fill\(blur\) is not supported/],
    ['/unsafe/100x0/filters:format(bmp)/x.jpg', 400, /format\(bmp\) is not supported/],
    ['/unsafe/100x0/filters:quality(101)/x.jpg', 400, /from 1 to 100 for filter quality but received "101"/],
    ['/unsafe/100x0/filters:rotate(45)/x.jpg', 400, /multiple of 90/],
    ['/unsafe/100x0/filters:blur(x)/x.jpg', 400, /filter blur/],
    ['/unsafe/20x20:10x10/x.jpg', 400, /C > A and D > B/],
    ['/unsafe/13000x0/x.jpg', 400, /exceeds the maximum output dimension/],
  ])('%s', async (path, status, detail) => {
    const body = await expectProblem(await thumbor(path), status, detail);
    expect(body.type).toMatch(/#problem-(unsupported-filter|invalid-options)$/);
  });
});

it('the README filter table lists exactly the supported filters', () => {
  const section = readme.slice(readme.indexOf('**Filters**'), readme.indexOf('Not supported (400)'));
  const documented = [...section.matchAll(/^\| `([a-z_]+)\(/gm), ...section.matchAll(/, `([a-z_]+)\(\)`/g)].map((m) => m[1]);
  expect(documented.sort()).toEqual([...SUPPORTED_FILTERS].sort());
});
