/**
 * Hostile input, property-based (fast-check): whatever the bytes or the URL,
 * the answer is a clean 4xx problem (or an image), never a 5xx, a hang or a
 * crashed isolate — and the next valid request in the same isolate works.
 * FUZZ_RUNS (vitest.config.ts; `npm run fuzz` raises it) bounds the random
 * cases; the structured cases (every 1/16 truncation, forged headers, bombs)
 * always run in full.
 */
import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKey, fixture, img, putOriginal, request, uniqueKey } from './helpers';

const RUNS = Number(env.FUZZ_RUNS ?? 25);
/** Fixed under npm test (the same cases every run); `npm run fuzz` draws a new one, which a failure reports. */
const SEED = Number(env.FUZZ_SEED ?? 20261201);
const FIXTURES = ['formats/320x240.jpg', 'derived/progressive.jpg', 'png/basn2c08.png', 'png/basi3p02.png', 'derived/lossy.webp', 'derived/lossless.webp', 'derived/yuv420.avif', 'formats/rotating-squares.gif', 'formats/animated-loop-3.webp'];
const CLEAN_REFUSALS = [400, 413, 415, 422];

/** Serves `bytes` as an original at 64 px (a still PNG unless `options` ask otherwise): an image, or one of the clean refusals. */
async function expectClean(bytes: Uint8Array, name: string, options = 'width=64,format=png'): Promise<number> {
  const response = await img(options, await putOriginal(uniqueKey(name), bytes));
  if (response.status !== 200) {
    expect(CLEAN_REFUSALS, `${name}: ${response.status} ${await response.clone().text()}`).toContain(response.status);
    expect(response.headers.get('Content-Type')).toBe('application/problem+json');
    const problem = (await response.json()) as { type: string; title: string; detail: string };
    expect(problem.detail).toBeTruthy();
  } else {
    await response.arrayBuffer();
  }
  return response.status;
}

/** The isolate still serves a valid image. */
async function expectAlive(): Promise<void> {
  expect((await img('width=32', await putOriginal(uniqueKey('alive.jpg'), await fixture('formats/320x240.jpg')))).status).toBe(200);
}

// zlib's stored (uncompressed) and fixed-Huffman blocks are easy to write by hand; a bomb only
// needs the runtime's own deflate: CompressionStream on a run of zeros.
async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Uint8Array) => {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** A PNG chunk with a correct CRC, so only its content is hostile. */
function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typed = new Uint8Array([...type].map((ch) => ch.charCodeAt(0)));
  out.set(typed, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const text = (s: string) => new TextEncoder().encode(s);

describe('hostile originals', () => {
  it('random bytes, bare or behind a real signature, are refused cleanly', async () => {
    const magic = fc.constantFrom(new Uint8Array(0), new Uint8Array([0xff, 0xd8, 0xff]), PNG_SIGNATURE, text('RIFF\0\0\0\0WEBPVP8 '), text('\0\0\0\x20ftypavif'), text('GIF89a'));
    await fc.assert(
      fc.asyncProperty(magic, fc.uint8Array({ minLength: 0, maxLength: 2048 }), async (head, tail) => {
        await expectClean(concat(head, tail), 'random');
      }),
      { numRuns: RUNS, seed: SEED },
    );
    await expectAlive();
  });

  it.each(FIXTURES)('%s cut at every 1/16 of its length is refused cleanly or decodes', async (path) => {
    const bytes = await fixture(path);
    for (let i = 0; i < 16; i++) await expectClean(bytes.slice(0, Math.floor((bytes.length * i) / 16)), `${path}-cut${i}`);
    await expectAlive();
  });

  it.each(['formats/rotating-squares.gif', 'formats/animated-loop-3.webp'])('%s cut or flipped anywhere, asked as an animated WebP, is refused cleanly or decodes', async (path) => {
    const bytes = await fixture(path);
    for (let i = 0; i < 16; i++) await expectClean(bytes.slice(0, Math.floor((bytes.length * i) / 16)), `${path}-cut${i}`, 'width=64,format=webp');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }), async (flips) => {
        const copy = bytes.slice();
        for (const [at, xor] of flips) copy[at]! ^= xor;
        await expectClean(copy, `${path}-flipped`, 'width=64,format=webp');
      }),
      { numRuns: RUNS, seed: SEED },
    );
    await expectAlive();
  });

  it.each(FIXTURES)('%s with bytes flipped in its headers is refused cleanly or decodes', async (path) => {
    const bytes = await fixture(path);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(Math.min(bytes.length, 512) - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), async (flips) => {
        const copy = bytes.slice();
        for (const [at, xor] of flips) copy[at]! ^= xor;
        await expectClean(copy, `${path}-flipped`);
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: SEED },
    );
    await expectAlive();
  });

  it('an AVIF whose ipma overruns its box (found by this suite) is 422, not a crash', async () => {
    const bytes = (await fixture('derived/yuv420.avif')).slice();
    bytes[81]! ^= 1;
    bytes[91]! ^= 1;
    expect(await expectClean(bytes, 'ipma-overrun.avif')).toBe(422);
  });

  it('forged dimensions are refused before decoding (413)', async () => {
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, 60000);
    new DataView(ihdr.buffer).setUint32(4, 60000);
    ihdr.set([8, 6, 0, 0, 0], 8);
    const png = concat(PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', await deflate(new Uint8Array(1000))), pngChunk('IEND', new Uint8Array(0)));
    expect(await expectClean(png, 'forged.png')).toBe(413);

    const jpeg = (await fixture('derived/progressive.jpg')).slice(); // no EXIF thumbnail, whose own SOF would match first
    const sof = jpeg.findIndex((b, i) => b === 0xff && (jpeg[i + 1] === 0xc0 || jpeg[i + 1] === 0xc2));
    new DataView(jpeg.buffer).setUint16(sof + 5, 65500);
    new DataView(jpeg.buffer).setUint16(sof + 7, 65500);
    expect(await expectClean(jpeg, 'forged.jpg')).toBe(413);

    // VP8X canvas 16384×16384 (the format's largest), with a tiny frame inside.
    const vp8x = new Uint8Array(10);
    vp8x.set([0x10, 0, 0, 0, 0xff, 0x3f, 0, 0xff, 0x3f, 0]);
    const webp = concat(text('RIFF'), new Uint8Array([22, 0, 0, 0]), text('WEBPVP8X'), new Uint8Array([10, 0, 0, 0]), vp8x);
    expect(CLEAN_REFUSALS).toContain(await expectClean(webp, 'forged.webp'));
    await expectAlive();
  });

  it('zlib bombs in PNG text and ICC chunks do not blow up', async () => {
    const bomb = await deflate(new Uint8Array(64 * 1024 * 1024)); // 64 MiB of zeros, ~64 KiB deflated
    const base = await fixture('png/basn2c08.png');
    const iend = base.length - 12;
    for (const chunk of [pngChunk('zTXt', concat(text('Comment\0\0'), bomb)), pngChunk('iCCP', concat(text('icc\0\0'), bomb))]) {
      const hostile = concat(base.subarray(0, 33), chunk, base.subarray(33, iend), base.subarray(iend));
      expect([200, ...CLEAN_REFUSALS]).toContain(await expectClean(hostile, 'bomb.png'));
    }
    await expectAlive();
  });

  it.each([
    ['SVG', text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), 'x.jpg'],
    ['HTML', text('<!doctype html><script>alert(1)</script>'), 'x.png'],
    ['PDF', text('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), 'x.webp'],
    ['an empty object', new Uint8Array(0), 'x.jpg'],
  ])('%s under an image name is 415', async (_, bytes, name) => {
    expect(await expectClean(bytes, name)).toBe(415);
  });

  it('EXIF with an absurd orientation or an IFD that points at itself is read safely', async () => {
    const base = await fixture('formats/320x240.jpg');
    // TIFF (big-endian) with one IFD: Orientation = 9999, and "next IFD" pointing back at itself.
    const tiff = new Uint8Array([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0x27, 0x0f, 0, 0, 0, 0, 0, 8]);
    const app1 = concat(new Uint8Array([0xff, 0xe1, 0, 2 + 6 + tiff.length]), text('Exif\0\0'), tiff);
    const hostile = concat(base.subarray(0, 2), app1, base.subarray(2));
    expect(await expectClean(hostile, 'exif-loop.jpg')).toBe(200);
    await expectAlive();
  });
});

describe('hostile URLs', () => {
  it('random option strings are 400 (or served), never 5xx, and never name another key', async () => {
    const key = await putOriginal(uniqueKey('url.jpg'), await fixture('formats/320x240.jpg'));
    const option = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.tuple(fc.constantFrom('width', 'w', 'height', 'fit', 'quality', 'dpr', 'format', 'gravity', 'background', 'blur', 'x'), fc.oneof(fc.string({ maxLength: 12 }), fc.double().map(String), fc.integer().map(String))).map(([n, v]) => `${n}=${v}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(option, { minLength: 1, maxLength: 6 }), async (options) => {
        const segment = encodeURIComponent(options.join(',')).replace(/%2C/g, ',');
        const response = await request(`/img/${segment}/${encodeKey(key)}`);
        expect([200, 304, 400, 403, 413], `${segment}: ${response.status} ${await response.clone().text()}`).toContain(response.status);
        await response.arrayBuffer();
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('keys with dot segments, doubled slashes, encodings and unicode are 400/404, never 5xx', async () => {
    const piece = fc.oneof(fc.constantFrom('..', '.', '', '%2e%2e', '%2F', '%00', '%ZZ', '\\', '%5C', 'ü', '猫', '%F0%9F%90%88'), fc.string({ maxLength: 6 }));
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 5 }), async (pieces) => {
        const path = pieces.map((p) => p.replace(/[?#]/g, '')).join('/');
        const response = await request(`/img/width=10/${path}`);
        expect([400, 404, 415], `${path}: ${response.status}`).toContain(response.status);
        await response.arrayBuffer();
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('overlong URLs and Thumbor gibberish are refused cleanly', async () => {
    expect([400, 404, 414]).toContain((await request(`/img/width=10/${'a/'.repeat(5000)}x.jpg`)).status);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (junk) => {
        const response = await request(`/thumbor/unsafe/${encodeURIComponent(junk).replace(/%2F/g, '/')}`, undefined, { THUMBOR_ALLOW_UNSAFE: 'true' });
        expect([400, 404, 415], `${junk}: ${response.status}`).toContain(response.status);
        await response.arrayBuffer();
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
