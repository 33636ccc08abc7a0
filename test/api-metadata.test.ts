import { env } from 'cloudflare:test';
import { thumbHashToApproximateAspectRatio, thumbHashToAverageRGBA, thumbHashToRGBA } from 'thumbhash';
import { describe, expect, it } from 'vitest';
import { encodeImage } from '../src/codecs';
import { buildExif, withExif } from './exif-builder';
import { api, expectProblem, fixture, img, putOriginal, uniqueKey } from './helpers';

interface ImageJson {
  key: string;
  width: number;
  height: number;
  format: string;
  orientation: number;
  hasAlpha: boolean;
  hasIccProfile: boolean;
  placeholder: { thumbhash: string; dominantColor?: string };
  exif: { camera?: { make?: string; model?: string }; takenAt?: string; gps?: { latitude: number; longitude: number } };
  urls: Record<string, string>;
}

const path = (key: string) => key.split('/').map(encodeURIComponent).join('/');

async function upload(bytes: Uint8Array, name: string): Promise<string> {
  const key = uniqueKey(name);
  const response = await api(`/images/${path(key)}`, { method: 'PUT', body: bytes });
  expect(response.status, await response.clone().text()).toBe(201);
  return key;
}

async function metadata(key: string, vars?: Record<string, string>): Promise<ImageJson> {
  const response = await api(`/images/${path(key)}`, {}, vars);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A 60×40 PNG: the left 42 columns red, the rest blue. */
async function redAndBlue(): Promise<Uint8Array> {
  const data = new Uint8ClampedArray(60 * 40 * 4);
  for (let i = 0; i < 60 * 40; i++) data.set(i % 60 < 42 ? [255, 0, 0, 255] : [0, 0, 255, 255], i * 4);
  return new Uint8Array(await encodeImage('png', { width: 60, height: 40, data }));
}

describe('metadata against the orientation fixtures', () => {
  it.each([
    ['Landscape', 1], ['Landscape', 3], ['Landscape', 6], ['Landscape', 8], ['Portrait', 0], ['Portrait', 5],
  ])('%s_%i: upright size, orientation, EXIF without camera', async (name, n) => {
    const key = await upload(await fixture(`orientation/${name}_${n}.jpg`), `${name}_${n}.jpg`);
    const meta = await metadata(key);
    const [width, height] = name === 'Landscape' ? [1800, 1200] : [1200, 1800];
    expect(meta).toMatchObject({ key, width, height, format: 'jpeg', hasAlpha: false, hasIccProfile: false });
    expect(meta.orientation).toBe(n === 0 ? 1 : n); // 0 is not a valid orientation: treated as upright
    expect(meta.exif).toEqual({});
    // The placeholder is of the upright picture.
    expect(thumbHashToApproximateAspectRatio(fromBase64(meta.placeholder.thumbhash))).toBeCloseTo(width / height, 0);
  });
});

describe('EXIF subset', () => {
  it('camera and capture time of a Canon photo', async () => {
    const meta = await metadata(await upload(await fixture('formats/Channel_digital_image_CMYK_color.jpg'), 'cmyk.jpg'));
    expect(meta.exif.camera).toEqual({ make: 'Canon', model: 'Canon EOS 300D DIGITAL' });
    expect(meta.exif.takenAt).toBe('2004-03-20T14:54:55');
  });

  it('GPS only when EXPOSE_GPS is true', async () => {
    const tiff = buildExif(
      [[0x010f, { ascii: 'TestCam' }], [0x0110, { ascii: 'Model 7' }], [0x0112, { short: 6 }]],
      [[0x9003, { ascii: '2021:07:04 18:30:05' }], [0x9011, { ascii: '+02:00' }]],
      [
        [1, { ascii: 'N' }],
        [2, { rationals: [[52, 1], [22, 1], [1234, 100]] }],
        [3, { ascii: 'W' }],
        [4, { rationals: [[4, 1], [53, 1], [0, 1]] }],
      ],
    );
    const key = await upload(withExif(await fixture('formats/320x240.jpg'), tiff), 'gps.jpg');
    const hidden = await metadata(key);
    expect(hidden.exif).toEqual({ camera: { make: 'TestCam', model: 'Model 7' }, takenAt: '2021-07-04T18:30:05+02:00' });
    expect(hidden).toMatchObject({ orientation: 6, width: 240, height: 320 });
    const shown = await metadata(key, { EXPOSE_GPS: 'true' });
    expect(shown.exif.gps!.latitude).toBeCloseTo(52 + 22 / 60 + 12.34 / 3600, 5);
    expect(shown.exif.gps!.longitude).toBeCloseTo(-(4 + 53 / 60), 5);
  });

  it('ICC profile presence', async () => {
    expect((await metadata(await upload(await fixture('formats/p3.png'), 'p3.png'))).hasIccProfile).toBe(true);
    expect((await metadata(await upload(await fixture('formats/with-alpha.png'), 'a.png'))).hasIccProfile).toBe(false);
  });
});

describe('placeholder', () => {
  it('a ThumbHash that decodes to the picture and the dominant colour', async () => {
    const meta = await metadata(await upload(await redAndBlue(), 'rb.png'));
    expect(meta.placeholder.dominantColor).toBe('#ff0000');
    const hash = fromBase64(meta.placeholder.thumbhash);
    expect(hash.length).toBeLessThan(40);
    const { w, h, rgba } = thumbHashToRGBA(hash);
    expect(w / h).toBeCloseTo(1.5, 0);
    const average = thumbHashToAverageRGBA(hash);
    expect(average.r).toBeCloseTo(0.7, 1);
    expect(average.b).toBeCloseTo(0.3, 1);
    expect(average.g).toBeLessThan(0.1);
    // Left edge red, right edge blue in the rendered placeholder.
    const pixel = (x: number, y: number) => [...rgba.subarray((y * w + x) * 4, (y * w + x) * 4 + 3)];
    const [left, right] = [pixel(1, h >> 1), pixel(w - 2, h >> 1)];
    expect(left[0]!).toBeGreaterThan(left[2]! + 100);
    expect(right[2]!).toBeGreaterThan(right[0]! + 60);
  });

  it('hasAlpha and no dominant colour for a fully transparent image', async () => {
    const data = new Uint8ClampedArray(10 * 10 * 4);
    const bytes = new Uint8Array(await encodeImage('png', { width: 10, height: 10, data }));
    const meta = await metadata(await upload(bytes, 'clear.png'));
    expect(meta.hasAlpha).toBe(true);
    expect(meta.placeholder.dominantColor).toBeUndefined();
    expect(thumbHashToAverageRGBA(fromBase64(meta.placeholder.thumbhash)).a).toBeLessThan(0.1);
  });
});

describe('reading metadata', () => {
  it('of an original stored without the API is computed from its bytes', async () => {
    const key = await putOriginal(uniqueKey('legacy.jpg'), await fixture('orientation/Landscape_6.jpg'));
    expect(await metadata(key)).toMatchObject({ width: 1800, height: 1200, orientation: 6, format: 'jpeg' });
    expect((await env.ORIGINALS.head(key))!.customMetadata).toEqual({}); // not rewritten: variants keep their ETag
  });

  it('is also /img/format=json/<key>, without a token, like Cloudflare', async () => {
    const key = await upload(await fixture('formats/320x240.jpg'), 'j.jpg');
    const viaApi = await metadata(key);
    const outputs: [string, object][] = [
      ['format=json', { width: 320, height: 240, format: 'jpeg', contentType: 'image/jpeg' }],
      ['width=100,f=json', { width: 100, height: 75, format: 'jpeg', contentType: 'image/jpeg' }],
      ['rotate=90,width=60,format=json', { width: 60, height: 80, format: 'jpeg', contentType: 'image/jpeg' }],
    ];
    for (const [options, output] of outputs) {
      const response = await img(options, key);
      expect(response.status).toBe(200);
      expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
      // As Cloudflare's format=json tells the output's size too: here as `output`, beside the original's facts.
      expect(await response.json()).toEqual({ ...viaApi, output });
    }
    const negotiated = await img('width=100,format=auto,f=json', key, { headers: { Accept: 'image/webp' } });
    expect(negotiated.headers.get('Vary')).toBe('Accept');
    expect(await negotiated.json()).toMatchObject({ output: { width: 100, format: 'webp', contentType: 'image/webp' } });
  });

  it('404 for a missing key', async () => {
    await expectProblem(await api(`/images/${path(uniqueKey('none.jpg'))}`), 404);
    await expectProblem(await img('format=json', uniqueKey('none.jpg')), 404);
  });
});

describe('GET /images (list)', () => {
  it('pages with a cursor through every original under a prefix', async () => {
    const folder = uniqueKey('list');
    const bytes = await fixture('formats/with-alpha.png');
    for (const n of [1, 2, 3, 4, 5]) {
      expect((await api(`/images/${path(`${folder}/${n}.png`)}`, { method: 'PUT', body: bytes })).status).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({ prefix: `${folder}/`, limit: '2', ...(cursor ? { cursor } : {}) });
      const response = await api(`/images?${query}`);
      expect(response.status).toBe(200);
      const page = await response.json<{ images: { key: string; width: number; format: string }[]; cursor?: string; truncated: boolean }>();
      expect(page.images.length).toBeLessThanOrEqual(2);
      for (const image of page.images) expect(image).toMatchObject({ width: 256, format: 'png' });
      seen.push(...page.images.map((i) => i.key));
      cursor = page.cursor;
      expect(page.truncated).toBe(cursor !== undefined);
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([1, 2, 3, 4, 5].map((n) => `${folder}/${n}.png`));
  });

  it.each(['0', '1001', 'ten'])('refuses limit=%s', async (limit) => {
    await expectProblem(await api(`/images?limit=${limit}`), 400, /limit/);
  });
});
