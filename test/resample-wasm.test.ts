/**
 * The WASM SIMD resampler (src/pipeline/resample/) in workerd: the same
 * bytes whatever the bands it is fed, the f32 and 16-bit paths the pipeline
 * uses within 1 of the f64 one, the box shrink equal to a plain box average written
 * here, and contexts freed on close and abort. Against sharp:
 * test/streaming.test.ts; more sizes and a photo: wasm/resample/smoke.mjs.
 */
import { describe, expect, it } from 'vitest';
import { collect, type RowSink } from '../src/codecs/rows';
import type { RgbaImage, Size } from '../src/codecs/types';
import { initCodecs } from '../src/codecs/codecs-wasm';
import { boxShrinkRows, codecsMemoryBytes, lanczos3Rows } from '../src/pipeline/resample/index';

initCodecs();

function noise(width: number, height: number, seed: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  // A quarter of the pixels fully transparent, so un-premultiplying meets zero alpha.
  for (let i = 3; i < data.length; i += 4) if (data[i]! < 64) data[i] = 0;
  return { width, height, data };
}

async function run(image: RgbaImage, to: Size, make: (next: RowSink<RgbaImage>) => RowSink<RgbaImage>, band: number) {
  const sink = make(collect(to));
  const rowBytes = image.width * 4;
  const bytes = new Uint8Array(image.data.buffer);
  for (let y = 0; y < image.height; y += band) {
    const count = Math.min(band, image.height - y);
    sink.write(bytes.subarray(y * rowBytes, (y + count) * rowBytes), count);
  }
  return (await sink.close()).data;
}

describe('lanczos3Rows (wasm)', () => {
  const image = noise(157, 93, 7);
  const sizes: Size[] = [
    { width: 143, height: 85 },
    { width: 62, height: 37 },
    { width: 20, height: 11 },
    { width: 314, height: 186 },
    { width: 1, height: 93 },
    { width: 157, height: 1 },
    { width: 1, height: 1 },
  ];
  for (const to of sizes) {
    it(`gives the same bytes in bands of 1, 13 or 93 rows at ${to.width}×${to.height}, and the f32 path is within 1`, async () => {
      const whole = await run(image, to, (next) => lanczos3Rows(image, to, next), 93);
      expect(await run(image, to, (next) => lanczos3Rows(image, to, next), 13)).toEqual(whole);
      expect(await run(image, to, (next) => lanczos3Rows(image, to, next), 1)).toEqual(whole);
      const fast = await run(image, to, (next) => lanczos3Rows(image, to, next, { exact: false }), 13);
      expect(fast.every((v, i) => Math.abs(v - whole[i]!) <= 1)).toBe(true);
    });
  }

  it('has a 16-bit path for opaque pictures within 1 of the f64 one that keeps every alpha 255', async () => {
    const opaque = { ...image, data: image.data.map((v, i) => (i % 4 === 3 ? 255 : v)) };
    // 100×60 is the photo-like case the pipeline meets most (11 and 13 taps); 1×93, 157×1, 1×1 and 20×11 have kernels
    // over 32 taps, which fall back to f32 (within 1 as well).
    for (const to of [...sizes, { width: 100, height: 60 }]) {
      const exact = await run(opaque, to, (next) => lanczos3Rows(opaque, to, next), 93);
      const fixed = await run(opaque, to, (next) => lanczos3Rows(opaque, to, next, { exact: false, opaque: true }), 7);
      const off = fixed.filter((v, i) => Math.abs(v - exact[i]!) > 1).length;
      expect({ to, off }).toEqual({ to, off: 0 });
      expect(fixed.filter((v, i) => i % 4 === 3 && v !== 255).length).toBe(0);
    }
  });

  it('frees its context on close and abort, so memory does not pile up', async () => {
    const from = { width: 1000, height: 1000 };
    const to = { width: 500, height: 500 };
    lanczos3Rows(from, to, collect(to)).abort();
    const start = codecsMemoryBytes();
    // About 250 KB a context: 200 leaked ones would be 50 MB.
    for (let i = 0; i < 100; i++) lanczos3Rows(from, to, collect(to)).abort();
    for (let i = 0; i < 100; i++) await lanczos3Rows(from, to, collect(to)).close().catch(() => undefined);
    expect(codecsMemoryBytes() - start).toBeLessThan(1024 * 1024);
  });
});

/** Alpha-weighted means of factor×factor blocks (partial at the edges), each rounded half to even as Uint8ClampedArray does. */
function boxAverage({ width, height, data }: RgbaImage, factor: number): Uint8ClampedArray {
  const w = Math.ceil(width / factor);
  const h = Math.ceil(height / factor);
  const out = new Uint8ClampedArray(w * h * 4);
  for (let by = 0; by < h; by++) {
    for (let bx = 0; bx < w; bx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      let n = 0;
      for (let y = by * factor; y < Math.min(height, (by + 1) * factor); y++) {
        for (let x = bx * factor; x < Math.min(width, (bx + 1) * factor); x++, n++) {
          const i = (y * width + x) * 4;
          r += data[i]! * data[i + 3]!;
          g += data[i + 1]! * data[i + 3]!;
          b += data[i + 2]! * data[i + 3]!;
          a += data[i + 3]!;
        }
      }
      out.set(a > 0 ? [r / a, g / a, b / a, a / n] : [0, 0, 0, 0], (by * w + bx) * 4);
    }
  }
  return out;
}

describe('boxShrinkRows (wasm)', () => {
  const image = noise(203, 151, 11);
  for (const factor of [2, 3, 5]) {
    it(`equals an alpha-weighted box average at ÷${factor}`, async () => {
      const to = { width: Math.ceil(image.width / factor), height: Math.ceil(image.height / factor) };
      const ours = await run(image, to, (next) => boxShrinkRows(image, factor, next), 7);
      expect(ours).toEqual(boxAverage(image, factor));
    });
  }
});
