/**
 * The streaming pipeline against references sharp made outside the code
 * under test (scripts/stream-goldens.mjs): every input format decoded row by
 * row, resized and compared with sharp's Lanczos3 thumbnail; full-size
 * outputs; fallbacks; a page's worth of cold misses at once.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { initCodecs } from '../src/codecs/codecs-wasm';
import { jpegEncodeMemory, openJpegEncoder } from '../src/codecs/jpeg-turbo';
import { decodeAvifRows } from '../src/codecs/libavif';
import { openWebpEncoder, webpEncodeMemory } from '../src/codecs/libwebp';
import { probe } from '../src/codecs/probe';
import { collect, replay } from '../src/codecs/rows';
import {
  CODECS_MAX_RETAINED_MEMORY,
  codecsMemoryBytes,
  heldCodecMemory,
  setCodecsMaxRetainedMemory,
} from '../src/codecs/shared-wasm';
import type { RgbaImage } from '../src/codecs/types';
import { JSQUASH_INITIAL_MEMORY } from '../src/codecs/wasm-codec';
import { getConfig } from '../src/config';
import { chargedBytes } from '../src/lib/memory-meter';
import { planTransform, renderPixels } from '../src/pipeline/run';
import { DEFAULT_SPEC, type ResolvedSpec } from '../src/spec/transform-spec';
import { decodeResponse, expectProblem, fixture, img, meanDifference, putFixture, putOriginal, uniqueKey } from './helpers';
import { cut, oracleDecode } from './oracle';

type Golden = { width: number; height: number; rgba: string };
let goldens: Promise<Record<string, Golden>> | undefined;

/** A sharp-made reference, inflated with the runtime's own zlib. */
async function golden(name: string): Promise<RgbaImage> {
  goldens ??= fixture('stream-golden/thumbnails.json').then((bytes) => JSON.parse(new TextDecoder().decode(bytes)));
  const { width, height, rgba } = (await goldens)[name]!;
  const compressed = Uint8Array.from(atob(rgba), (c) => c.charCodeAt(0));
  const inflated = new Response(new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate')));
  return { width, height, data: new Uint8ClampedArray(await inflated.arrayBuffer()) };
}

/** The JPEG's start-of-frame marker (0xc0 baseline, 0xc2 progressive), read here rather than by edgepix's probe. */
function jpegFrameMarker(bytes: Uint8Array): number | undefined {
  for (let i = 2; i + 3 < bytes.length; i += 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!)) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return marker;
  }
  return undefined;
}

/** A failed response's problem, to show beside an assertion; nothing for an image. */
const problemDetail = async (response: Response) =>
  response.headers.get('Content-Type') === 'application/problem+json' ? response.clone().text() : '';

/** Mean absolute difference per channel, over images of the same size. */
function meanAbsDiff(a: RgbaImage, b: RgbaImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

/** Mean of each 8×8 block, as the golden script computes it for full-size references. */
function boxAverage({ width, height, data }: RgbaImage, box = 8): RgbaImage {
  const w = Math.ceil(width / box);
  const h = Math.ceil(height / box);
  const out = new Uint8ClampedArray(w * h * 4);
  for (let by = 0; by < h; by++) {
    for (let bx = 0; bx < w; bx++) {
      const sums = [0, 0, 0, 0];
      let n = 0;
      for (let y = by * box; y < Math.min(height, (by + 1) * box); y++) {
        for (let x = bx * box; x < Math.min(width, (bx + 1) * box); x++, n++) {
          for (let c = 0; c < 4; c++) sums[c]! += data[(y * width + x) * 4 + c]!;
        }
      }
      for (let c = 0; c < 4; c++) out[(by * w + bx) * 4 + c] = Math.round(sums[c]! / n);
    }
  }
  return { width: w, height: h, data: out };
}

async function render(path: string, options: Partial<ResolvedSpec>): Promise<RgbaImage> {
  const bytes = await fixture(path);
  const header = probe(bytes);
  const spec: ResolvedSpec = { ...DEFAULT_SPEC, format: 'png', ...options };
  return renderPixels(bytes, header, planTransform(header, bytes.length, spec, getConfig(env)));
}

describe('every input format streams into the same thumbnail sharp makes', () => {
  // Lanczos3 on both sides; what differs is each decoder's rounding and chroma upsampling, and for
  // WebP sharp's shrink-on-load (libwebp's own scaler) before its Lanczos pass.
  it.each([
    ['baseline.jpg', 1.5],
    ['progressive.jpg', 1.5],
    ['rgb8.png', 1],
    ['rgb16.png', 1],
    ['palette.png', 1],
    ['interlaced.png', 1],
    ['lossy.webp', 2],
    ['lossless.webp', 1.5],
    ['yuv420.avif', 2],
    ['yuv444.avif', 2],
    ['alpha.avif', 2],
    ['panorama.webp', 3],
  ])('%s at 300 px wide (mean |Δ| ≤ %d)', async (name, tolerance) => {
    const image = await render(`derived/${name}`, { width: 300 });
    expect(meanAbsDiff(image, await golden(name))).toBeLessThanOrEqual(tolerance);
  });
});

it('a cover crop streams only the kept columns and rows', async () => {
  const image = await render('derived/baseline.jpg', { width: 200, height: 200, fit: 'cover' });
  expect(meanAbsDiff(image, await golden('baseline.jpg@cover200'))).toBeLessThanOrEqual(1.5);
});

it('a 24 MP progressive JPEG decoded in bands gives the thumbnail sharp makes', async () => {
  const image = await render('photos/rachel-hisko-rEM3cK8F1pk-unsplash.jpg', { width: 1000 });
  expect(meanAbsDiff(image, await golden('rachel@1000'))).toBeLessThanOrEqual(1.5);
});

/**
 * What a transform added to the memory charged when it started (earlier tests leave some), from the
 * meter's Server-Timing entries (BENCH_MEMORY_METER).
 */
function addedMemory(response: Response): number {
  const timing = response.headers.get('Server-Timing') ?? '';
  const metered = (name: string) => Number(new RegExp(`${name};desc="(\\d+)"`).exec(timing)?.[1]);
  return metered('mem-peak') - metered('mem-idle');
}

/** Runs `work` on a fresh codec instance, and answers with the memory that instance grew to. */
async function onFreshInstance<T>(work: () => Promise<T>): Promise<{ result: T; memory: number }> {
  initCodecs();
  // Also lets go a heap an earlier test kept, which would be reused with whatever it grew to before.
  setCodecsMaxRetainedMemory(0);
  try {
    const result = await work();
    return { result, memory: codecsMemoryBytes() };
  } finally {
    setCodecsMaxRetainedMemory(CODECS_MAX_RETAINED_MEMORY);
  }
}

describe('AVIF rows out of a window of dav1d rows', () => {
  /** No shrink-on-load: every source row, converted. */
  const FULL_SIZE = { minWidth: Number.MAX_SAFE_INTEGER, minHeight: Number.MAX_SAFE_INTEGER };

  /** A full-size decode on a fresh instance; with the memory that instance grew to. */
  async function decodeAvif(name: string, window: boolean) {
    const bytes = await fixture(`derived/${name}`);
    const { result: image, memory } = await onFreshInstance(() => decodeAvifRows(bytes, FULL_SIZE, collect, { window }));
    return { image, memory };
  }

  it.each(['yuv420.avif', 'yuv444.avif', 'alpha.avif'])('%s: the same rows as a whole-picture decode, in less memory', async (name) => {
    const [windowed, whole] = [await decodeAvif(name, true), await decodeAvif(name, false)];
    expect([windowed.image.width, windowed.image.height]).toEqual([900, 600]);
    expect(windowed.image.data.length).toBe(whole.image.data.length);
    expect(windowed.image.data.filter((v, i) => v !== whole.image.data[i]).length).toBe(0);
    // dav1d pads a 900×600 picture to 1088×640: 0.66 MiB a full plane, 1.99 MiB at 4:4:4; the window holds under 256 rows.
    expect(whole.memory - windowed.memory).toBeGreaterThanOrEqual((name === 'yuv444.avif' ? 896 : 384) * 1024);
  });

  it('an AVIF with alpha at full size matches sharp', async () => {
    const { image } = await decodeAvif('alpha.avif', true);
    expect(meanAbsDiff(boxAverage(image), await golden('alpha.avif@full/8'))).toBeLessThanOrEqual(1);
  });
});

describe("the WebP encoder's memory", () => {
  // libwebp's token buffer grows with the detail a quality keeps: upstream's takes ~7.6 bytes a pixel for a
  // 6 MP photo at q100, ours one bit a token (wasm/webp/packed-tokens.patch), so the encode keeps it and
  // stays within an estimate that follows the quality.
  it.each([85, 100])('a 6 MP photo at q%d stays within its estimate', async (quality) => {
    const picture = await render('photos/rachel-hisko-rEM3cK8F1pk-unsplash.jpg', { width: 3000 });
    const { result: file, memory } = await onFreshInstance(() => replay(picture, openWebpEncoder(picture, { quality, hasAlpha: false })));
    expect(file.length).toBeGreaterThan(100_000);
    expect(memory).toBeLessThanOrEqual(webpEncodeMemory(picture, { quality, hasAlpha: false }));
  });

  // Streamed, libwebp analyses the picture in a first pass of its rows and codes it in a second
  // (wasm/webp/streamed-rows.patch), holding one macroblock row of its YUV picture, not all of it.
  it('a 6 MP photo streamed in two passes of its rows gives the same file, without its YUV picture', async () => {
    const picture = await render('photos/rachel-hisko-rEM3cK8F1pk-unsplash.jpg', { width: 3000 });
    const options = { quality: 85, hasAlpha: false };
    const whole = await replay(picture, openWebpEncoder(picture, options));
    const { result, memory } = await onFreshInstance(async () => {
      const sink = openWebpEncoder(picture, { ...options, streamed: true });
      const rowBytes = picture.width * 4;
      const bytes = new Uint8Array(picture.data.buffer);
      let passes = 0;
      do {
        passes++;
        // Bands of an odd height, so macroblock rows straddle them.
        for (let y = 0; y < picture.height; y += 37) {
          const count = Math.min(37, picture.height - y);
          sink.write(bytes.subarray(y * rowBytes, (y + count) * rowBytes), count);
        }
      } while (sink.endPass!());
      return { file: await sink.close(), passes };
    });
    expect(result.passes).toBe(2);
    // The first byte that differs (-1: none); toEqual's diff of two 0.7 MB arrays would take minutes.
    const firstDifference = whole.findIndex((byte, i) => result.file[i] !== byte);
    expect([result.file.length, firstDifference]).toEqual([whole.length, -1]);
    // The whole picture's planes alone would be 9 MB; here the heap, its initial 2 MiB included, is well under.
    expect(memory).toBeLessThan((picture.width * picture.height * 1.5) / 2);
  });

  it('a full-size WebP of a 24 MP photo decodes the original twice rather than hold its picture', async () => {
    const key = await putFixture('photos/rachel-hisko-rEM3cK8F1pk-unsplash.jpg');
    const response = await img('format=webp', key, undefined, { BENCH_MEMORY_METER: 'true' });
    // One pass holds a 34 MiB YUV picture.
    const added = addedMemory(response);
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThan(24 * 1024 * 1024);
    const image = await decodeResponse(response);
    expect([image.width, image.height, image.format]).toEqual([6000, 4000, 'webp']);
    expect(meanAbsDiff(boxAverage(image, 32), await golden('rachel@full/32'))).toBeLessThanOrEqual(1.5);
  });
});

describe("the progressive JPEG encoder's memory", () => {
  // libjpeg writes no scan before it has every quantized coefficient: 128 bytes an 8×8 block, 18 MB for a
  // 3000×2000 picture. encoder.c keeps them packed (wasm/jpeg-turbo/coefficient-store.c), mostly zeros left out.
  it('a 6 MP photo keeps its coefficients packed, and the file still holds the picture', async () => {
    const picture = await render('photos/rachel-hisko-rEM3cK8F1pk-unsplash.jpg', { width: 3000 });
    const progressive = { quality: 85, hasAlpha: false, progressive: true };
    const { result: file, memory } = await onFreshInstance(() => replay(picture, openJpegEncoder(picture, progressive)));
    expect(jpegFrameMarker(file)).toBe(0xc2); // SOF2: progressive
    const coefficientBuffer = Math.ceil(3000 / 16) * Math.ceil(2000 / 16) * 6 * 128;
    // The whole heap, its initial 2 MiB and the 0.7 MB file included, in less than a third of that buffer.
    expect(memory).toBeLessThan(coefficientBuffer / 3);
    expect(memory).toBeLessThanOrEqual(jpegEncodeMemory(picture, true) + 2 * 1024 * 1024);
    // Decoded by mozjpeg (jsquash), not by edgepix: every coefficient came back where it was.
    expect(meanAbsDiff(await oracleDecode(file), picture)).toBeLessThan(1.5);
  });
});

describe('rows lent from the codec heap, while a sink grows it', () => {
  // A decoder and the resampler lend rows as views of the one codec heap; the progressive JPEG encoder grows
  // that heap as it stores coefficients, which detaches every view of it. From a fresh 2 MiB heap it must grow
  // while rows stream: each stage that reads its band again re-views it (codecs/rows.ts, rereadable).
  it.each([
    ['lossy.webp', 'width=2400,fit=contain,format=jpeg', [2400, 1600]],
    ['yuv420.avif', 'width=2400,fit=contain,format=jpeg', [2400, 1600]],
    ['lossy.webp', 'width=2400,height=2400,fit=pad,background=white,format=jpeg', [2400, 2400]],
  ])('%s, %s', async (name, options, size) => {
    const key = await putFixture(`derived/${name}`);
    const { result: response } = await onFreshInstance(() => img(options, key));
    const image = await decodeResponse(response);
    expect([image.width, image.height, image.format]).toEqual([...size, 'jpeg']);
    const original = await oracleDecode(await fixture(`derived/${name}`));
    // The padded one's picture is the middle 1600 rows.
    const shown = size[1] === 2400 ? cut(image, 0, 400, 2400, 1600) : image;
    expect(await meanDifference(shown, original)).toBeLessThan(2);
  });
});

describe('full-size and large outputs', () => {
  it('an orientation-6 photo comes out upright at full size', async () => {
    const image = await render('orientation/Landscape_6.jpg', {});
    expect([image.width, image.height]).toEqual([1800, 1200]);
    expect(meanAbsDiff(boxAverage(image), await golden('Landscape_6.jpg@full/8'))).toBeLessThanOrEqual(1.5);
  });

  it.each(['webp', 'jpeg', 'png'])('re-encodes a photo at full size as %s', async (format) => {
    const key = await putFixture('orientation/Landscape_6.jpg');
    const image = await decodeResponse(await img(`format=${format}`, key));
    expect([image.width, image.height, image.format]).toEqual([1800, 1200, format]);
    // Upright and whole: against sharp's upright photo averaged 8×8 (1.5 above, for the pixels before encoding).
    expect(meanAbsDiff(boxAverage(image), await golden('Landscape_6.jpg@full/8'))).toBeLessThanOrEqual(2.5);
  });

  it('serves WebP instead of an AVIF too large to encode, and says so', async () => {
    const key = await putFixture('photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg');
    const response = await img('width=1600,format=avif', key);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/webp');
    expect(response.headers.get('X-Edgepix-Fallback')).toBe('avif>webp');
    const image = await decodeResponse(response);
    expect([image.width, image.height]).toEqual([1600, 1200]);
    // The stored variant keeps the header.
    const again = await img('width=1600,format=avif', key);
    expect(again.headers.get('X-Edgepix-Cache')).not.toBe('miss');
    expect(again.headers.get('X-Edgepix-Fallback')).toBe('avif>webp');
  });

  it('serves WebP when AVIF would not fit beside the decoder, and baseline when progressive JPEG would not', async () => {
    const key = await putFixture('formats/320x240.jpg');
    // 1200×900 (contain enlarges): ~43 MiB for aom, a few for libwebp.
    const avif = await img('width=1200,fit=contain,format=avif', key, undefined, { MAX_WORKING_MEMORY: String(24 * 1024 * 1024) });
    expect(avif.headers.get('Content-Type'), await problemDetail(avif)).toBe('image/webp');
    expect(avif.headers.get('X-Edgepix-Fallback')).toBe('avif>webp');
    // 1600×1200: a 6 MiB coefficient buffer for progressive, a few strips for baseline.
    const jpeg = await img('width=1600,fit=contain,format=jpeg', key, undefined, { MAX_WORKING_MEMORY: String(8 * 1024 * 1024) });
    expect(jpeg.headers.get('X-Edgepix-Fallback'), await problemDetail(jpeg)).toBe('jpeg-baseline');
    expect(jpegFrameMarker(new Uint8Array(await jpeg.arrayBuffer()))).toBe(0xc0); // SOF0: baseline, not SOF2
  });

  it('serves baseline JPEG when an opaque WebP would not fit, and refuses a transparent one', async () => {
    // 2000×1500: libwebp needs ~13 MiB (its YUV picture and token buffer); baseline JPEG streams in strips.
    const budget = { MAX_WORKING_MEMORY: String(6 * 1024 * 1024) };
    const opaque = await img('width=2000,fit=contain,format=webp', await putFixture('formats/320x240.jpg'), undefined, budget);
    expect(opaque.headers.get('Content-Type'), await problemDetail(opaque)).toBe('image/jpeg');
    expect(opaque.headers.get('X-Edgepix-Fallback')).toBe('webp>jpeg');
    const picture = await decodeResponse(opaque.clone());
    expect([picture.width, picture.height]).toEqual([2000, 1500]);
    expect(jpegFrameMarker(new Uint8Array(await opaque.arrayBuffer()))).toBe(0xc0); // SOF0: baseline, which streams
    // JPEG has no alpha, and PNG's output would be no smaller than WebP's picture.
    const transparent = await img('width=2000,fit=contain,format=webp', await putFixture('png/basn6a08.png'), undefined, budget);
    await expectProblem(transparent, 413, /WEBP output at 2000×2000/);
  });

  it('lets a grown codec heap go after its transform and has it collected before the next one', async () => {
    // A 12 MP WebP grows the shared heap past what an idle isolate keeps: its encoder's YUV picture alone is 18 MiB.
    const key = await putFixture('formats/320x240.jpg');
    expect((await img('width=4000,fit=contain,format=webp', key)).status).toBe(200);
    expect(codecsMemoryBytes()).toBeGreaterThan(CODECS_MAX_RETAINED_MEMORY);
    expect(heldCodecMemory()).toBe(0);
    // Collected, not just dropped: what the meter still sees alive is a small heap at most.
    expect(chargedBytes()).toBeLessThan(CODECS_MAX_RETAINED_MEMORY);
    // The next transform gets a new heap, and aom's beside it, which a 1 MP AVIF grows to ~40 MiB: let go too.
    const response = await img('width=1200,fit=contain,format=avif', key);
    expect(response.headers.get('Content-Type'), await problemDetail(response)).toBe('image/avif');
    expect(chargedBytes()).toBeLessThan(CODECS_MAX_RETAINED_MEMORY);
    // Where the runtime has no ImageData, jsquash's glue would define one whose class keeps its first instance's
    // memory alive for good (as under wrangler dev); edgepix defines it first.
    expect((globalThis as { ImageData?: { name: string } }).ImageData?.name).toBe('ImageDataShape');
  });

  it("lets a 12 MP photo's thumbnail heap go: a kept heap stays resident, and aom's grows beside it", async () => {
    const key = await putFixture('photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg');
    expect((await img('width=640,format=webp', key)).status).toBe(200);
    // Its progressive coefficients at 1/4 and the rest grow the heap to 10.5 MiB, past what is kept.
    expect(codecsMemoryBytes()).toBeGreaterThan(8 * 1024 * 1024);
    expect(heldCodecMemory()).toBe(0);
  });

  it('frees the codec heap a decode used before aom grows its own for an AVIF', async () => {
    const addedBy = async (path: string) => {
      const response = await img('width=1200,fit=contain,format=avif', await putFixture(path), undefined, { BENCH_MEMORY_METER: 'true' });
      expect(response.headers.get('Content-Type'), await problemDetail(response)).toBe('image/avif');
      return addedMemory(response);
    };
    // Both 1200×900: aom's heap and the picture are the same size. The small JPEG decodes in a kept heap
    // of 2-3 MiB; the 12 MP progressive one grows it to ~10 MiB (its coefficient bands at 1/2).
    const small = await addedBy('formats/320x240.jpg');
    // Even a heap small enough to keep between transforms is let go for aom.
    expect(heldCodecMemory()).toBe(0);
    const large = await addedBy('photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg');
    const decodeHeap = codecsMemoryBytes();
    expect(decodeHeap).toBeGreaterThan(CODECS_MAX_RETAINED_MEMORY);
    // Beside aom, that heap would add itself (less the small one's); let go and collected first, only the
    // larger original (1.1 MB) remains between the two.
    expect(large - small).toBeLessThan(decodeHeap / 2);
  });

  it('a lower cap lets an idle kept heap go at once, as its release would have', async () => {
    expect((await img('width=300,format=webp', await putFixture('formats/320x240.jpg'))).status).toBe(200);
    expect(heldCodecMemory()).toBeGreaterThan(0);
    setCodecsMaxRetainedMemory(0);
    try {
      expect(heldCodecMemory()).toBe(0);
    } finally {
      setCodecsMaxRetainedMemory(CODECS_MAX_RETAINED_MEMORY);
    }
  });

  it("counts aom's own heap on top of the shared heap a thumbnail left, and serves WebP when the two would not fit", async () => {
    const key = await putFixture('formats/320x240.jpg');
    expect((await img('width=1000,fit=contain,format=webp', key)).status).toBe(200);
    const held = heldCodecMemory();
    expect(held).toBeGreaterThan(2 * 1024 * 1024);
    expect(held).toBeLessThanOrEqual(CODECS_MAX_RETAINED_MEMORY);
    // 300×225 needs aom's 16 MiB and a little for decoding: within the budget alone, not beside the kept heap.
    const budget = { MAX_WORKING_MEMORY: String(JSQUASH_INITIAL_MEMORY + held - 1) };
    const response = await img('width=300,format=avif', key, undefined, budget);
    expect(response.headers.get('Content-Type'), await problemDetail(response)).toBe('image/webp');
    expect(response.headers.get('X-Edgepix-Fallback')).toBe('avif>webp');
  });

  it('a small AVIF output stays AVIF, with no fallback header', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const response = await img('width=200,format=avif', key);
    expect(response.headers.get('Content-Type')).toBe('image/avif');
    expect(response.headers.get('X-Edgepix-Fallback')).toBeNull();
  });

  it('names what drives a refusal: input, decoder, steps and encoder, each in MiB', async () => {
    const key = await putFixture('photos/rachel-hisko-rEM3cK8F1pk-unsplash.jpg');
    await expectProblem(
      await img('format=webp', key, undefined, { MAX_WORKING_MEMORY: String(8 * 1024 * 1024) }),
      413,
      // The cheapest way it tried is named: baseline JPEG, the streaming fallback of an opaque WebP.
      /6000×4000 progressive JPEG decoded at 6000×4000, JPEG output at 6000×4000: input \d+ MiB, decoding \d+ MiB, encoding \d+ MiB/,
    );
  });
});

describe('a page of cold misses at once', () => {
  it('serves every one of 30 distinct thumbnails requested together, in turn', async () => {
    const bytes = await fixture('formats/320x240.jpg');
    const key = await putOriginal(uniqueKey('gallery.jpg'), bytes);
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => img(`width=${100 + i},format=webp`, key)));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    for (const [i, response] of responses.entries()) {
      expect((await decodeResponse(response)).width).toBe(100 + i);
    }
  });
});

describe('broken originals of every streamed format', () => {
  it.each(['baseline.jpg', 'progressive.jpg', 'rgb8.png', 'interlaced.png', 'lossy.webp', 'lossless.webp', 'yuv420.avif'])(
    '%s cut short or with its pixel data scrambled is a 422, and the worker keeps serving',
    async (name) => {
      const bytes = await fixture(`derived/${name}`);
      const cut = await putOriginal(uniqueKey(`cut-${name}`), bytes.slice(0, Math.floor(bytes.length * 0.6)));
      await expectProblem(await img('width=200,format=webp', cut), 422);
      const scrambled = bytes.slice();
      // Past any header: overwrite the middle of the file with a pattern no encoder writes.
      for (let i = Math.floor(bytes.length * 0.3); i < Math.floor(bytes.length * 0.7); i++) scrambled[i] = (i * 151) & 0xff;
      const response = await img('width=200,format=webp', await putOriginal(uniqueKey(`bad-${name}`), scrambled));
      // Some formats decode garbage to garbage pixels; none may fail any other way than 422.
      expect([200, 422]).toContain(response.status);
      if (response.status === 422) await expectProblem(response, 422);
      expect((await img('width=100,format=webp', await putFixture('formats/320x240.jpg'))).status).toBe(200);
    },
  );
});

describe('the resize skips premultiplying only where the decoder cannot make transparency', () => {
  // Opaque pictures take the resampler's 16-bit path, which filters alpha like a colour.
  const plannedOpaque = (header: ReturnType<typeof probe>, bytes: Uint8Array) =>
    planTransform(header, bytes.length, { ...DEFAULT_SPEC, format: 'png', width: 10 }, getConfig(env)).context.opaque;
  it.each([
    ['derived/progressive.jpg', true],
    ['derived/lossy.webp', true],
    ['derived/rgb16.png', true],
    ['derived/yuv420.avif', true],
    ['derived/lossless.webp', false], // VP8L's alpha bit is only a hint
    ['formats/5_webp_a.webp', false],
    ['derived/alpha.avif', false],
  ])('%s: opaque %s', async (path, opaque) => {
    const bytes = await fixture(path);
    expect(plannedOpaque(probe(bytes), bytes)).toBe(opaque);
  });

  it('a GIF is never taken for opaque, even without a transparent index: its canvas starts transparent', async () => {
    const bytes = await fixture('formats/rotating-squares.gif');
    expect(plannedOpaque({ ...probe(bytes), hasAlpha: false }, bytes)).toBe(false);
  });
});
