/**
 * Lanczos3 resampling, separable and streaming, in gamma space with
 * premultiplied alpha (what sharp and libvips do by default).
 *
 * Written here rather than taken from @jsquash/resize because of memory: that
 * Rust crate's WASM needs 26–40 bytes per input pixel (397 MiB for a
 * 4096×3072 input) and a WASM memory never shrinks. This one takes rows as
 * they come and keeps only a window of horizontally filtered rows — as many
 * as the vertical kernel spans — in ordinary typed arrays the GC reclaims.
 */
import type { RgbaImage, Size } from '../codecs/types';
import { collect, replay, type RowSink } from '../codecs/rows';

const LOBES = 3;

const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
const lanczos = (x: number) => (Math.abs(x) < LOBES ? sinc(x) * sinc(x / LOBES) : 0);

/**
 * For each output position, its taps: input indices (clamped, so beyond the
 * edges the edge pixel repeats) and normalised weights, `taps` per position.
 */
interface Kernel {
  taps: number;
  sources: Int32Array;
  weights: Float32Array;
}

// Downscaling stretches the kernel over `scale` input pixels per lobe, so every input pixel counts.
const radiusFor = (inputSize: number, outputSize: number) => LOBES * Math.max(1, inputSize / outputSize);
const tapsFor = (inputSize: number, outputSize: number) => Math.ceil(radiusFor(inputSize, outputSize)) * 2 + 1;

function kernel(inputSize: number, outputSize: number): Kernel {
  const scale = inputSize / outputSize;
  const stretch = Math.max(1, scale);
  const radius = radiusFor(inputSize, outputSize);
  const taps = tapsFor(inputSize, outputSize);
  const sources = new Int32Array(outputSize * taps);
  const weights = new Float32Array(outputSize * taps);
  for (let out = 0; out < outputSize; out++) {
    const center = (out + 0.5) * scale - 0.5;
    const start = Math.floor(center - radius) + 1;
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const weight = lanczos((start + t - center) / stretch);
      sources[out * taps + t] = Math.min(inputSize - 1, Math.max(0, start + t));
      weights[out * taps + t] = weight;
      sum += weight;
    }
    for (let t = 0; t < taps; t++) weights[out * taps + t] = weights[out * taps + t]! / sum;
  }
  return { taps, sources, weights };
}

/** One input row, premultiplied, filtered to the output width (4 floats per pixel). */
function filterRow(data: Uint8Array | Uint8ClampedArray, rowStart: number, columns: Kernel, out: Float32Array): void {
  const { taps, sources, weights } = columns;
  for (let o = 0, k = 0; o < out.length; o += 4) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (const end = k + taps; k < end; k++) {
      const i = rowStart + sources[k]! * 4;
      const alpha = data[i + 3]! * weights[k]!;
      r += data[i]! * alpha;
      g += data[i + 1]! * alpha;
      b += data[i + 2]! * alpha;
      a += alpha;
    }
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
    out[o + 3] = a;
  }
}

/**
 * A sink for rows of `from` size that resamples them to `to` and passes each
 * output row on as soon as every input row its kernel spans has arrived.
 */
export function lanczos3Rows<T>(from: Size, to: Size, next: RowSink<T>): RowSink<T> {
  const columns = kernel(from.width, to.width);
  const rows = kernel(from.height, to.height);
  const rowFloats = to.width * 4;
  // A ring of filtered rows: slot y % taps holds input row y once it is filtered.
  const ring = Array.from({ length: rows.taps }, () => new Float32Array(rowFloats));
  const output = new Uint8ClampedArray(rowFloats);
  const outputBytes = new Uint8Array(output.buffer);
  const window: Float32Array[] = new Array(rows.taps);
  // The last input row each output row needs (its taps are clamped at the edges).
  const lastSource = (y: number) => rows.sources[y * rows.taps + rows.taps - 1]!;
  let received = 0;
  let emitted = 0;
  const emit = (y: number) => {
    for (let t = 0; t < rows.taps; t++) window[t] = ring[rows.sources[y * rows.taps + t]! % rows.taps]!;
    const weights = rows.weights.subarray(y * rows.taps, (y + 1) * rows.taps);
    for (let o = 0; o < rowFloats; o += 4) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let t = 0; t < rows.taps; t++) {
        const source = window[t]!;
        const weight = weights[t]!;
        r += source[o]! * weight;
        g += source[o + 1]! * weight;
        b += source[o + 2]! * weight;
        a += source[o + 3]! * weight;
      }
      // Premultiplied sums: colour ÷ alpha restores it; Uint8ClampedArray rounds and clamps.
      if (a > 0) {
        output[o] = r / a;
        output[o + 1] = g / a;
        output[o + 2] = b / a;
      } else {
        output[o] = output[o + 1] = output[o + 2] = 0;
      }
      output[o + 3] = a;
    }
    next.write(outputBytes, 1);
  };
  return {
    write(band, count) {
      for (let r = 0; r < count; r++, received++) {
        filterRow(band, r * from.width * 4, columns, ring[received % rows.taps]!);
        while (emitted < to.height && lastSource(emitted) <= received) emit(emitted++);
      }
    },
    close: () => next.close(),
    abort: () => next.abort(),
  };
}

/** The ring of filtered rows and one output row: what {@link lanczos3Rows} holds. */
export const lanczos3Memory = (from: Size, to: Size) =>
  tapsFor(from.height, to.height) * to.width * 16 + to.width * 4 +
  (tapsFor(from.width, to.width) * to.width + tapsFor(from.height, to.height) * to.height) * 8;

/** Resamples a whole picture (tests and whole-picture callers). */
export async function resizeRgba(image: RgbaImage, to: Size): Promise<RgbaImage> {
  const sink = lanczos3Rows(image, to, collect(to));
  return replay(image, sink);
}
