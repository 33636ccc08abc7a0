/**
 * Lanczos3 resampling and the box pre-shrink, streaming, in WASM SIMD128
 * (wasm/resample/resample.c): drop-in replacements for `lanczos3Rows` in
 * ../resample.ts and the sink in ../steps/shrink.ts, with the same output
 * bytes (same kernels, same f64 sums in the same order, the same f32 ring,
 * the same rounding; see wasm/resample/README.md).
 *
 *   import codecsWasm from '../../codecs/edgepix-codecs.wasm'; // WebAssembly.Module
 *   initCodecsWasm(codecsWasm); // the one module of all our codecs (codecs/shared-wasm.ts)
 *   const sink = lanczos3Rows(from, to, next);
 *
 * One instance, that of every codec (codecs/shared-wasm.ts), serves every
 * resampler in the isolate; each holds a context
 * (kernels, a one-row input buffer, the ring of filtered rows, an output
 * band) until close() or abort(). The resampler allocates nothing while
 * rows stream, but a sink after it may (the progressive JPEG encoder): the
 * heap and the band it was lent are viewed again after every row passed on.
 */
import { collect, replay, rereadable, type RowSink } from '../../codecs/rows';
import { sharedWasm } from '../../codecs/shared-wasm';
import type { BaseExports } from '../../codecs/standalone-wasm';
import type { RgbaImage, Size } from '../../codecs/types';

interface Exports extends BaseExports {
  rs_new(inW: number, inH: number, outW: number, outH: number, tapsX: number, tapsY: number, padL: number, padR: number, outRows: number): number;
  rs_start_x(ctx: number): number;
  rs_weights_x(ctx: number): number;
  rs_sources_y(ctx: number): number;
  rs_weights_y(ctx: number): number;
  rs_input(ctx: number): number;
  rs_output(ctx: number): number;
  rs_push(ctx: number): void;
  rs_emit(ctx: number): number;
  rs_fast(ctx: number): void;
  rs_opaque(ctx: number): void;
  rs_free(ctx: number): void;
  bs_new(inW: number, inH: number, factor: number): number;
  bs_input(ctx: number): number;
  bs_output(ctx: number): number;
  bs_push(ctx: number): number;
  bs_free(ctx: number): void;
}

/** Output rows are handed on in bands of about this many bytes (at least one row). */
const OUTPUT_BAND_BYTES = 64 * 1024;

const resample = sharedWasm.codec<Exports>({
  name: 'resample',
  toError: (message) => new Error(message),
});

export { codecsMemoryBytes, initCodecsWasm } from '../../codecs/shared-wasm';

/**
 * A context in the shared instance, made by `create` (0 = out of memory),
 * freed by `free` (idempotent); `check` throws once it is freed, so a late
 * write cannot touch memory another context now owns. `guarded` runs calls
 * into wasm; `heap` is a byte view of its memory, re-made after growth.
 */
function lease(create: (ex: Exports) => number, destroy: (ex: Exports, ctx: number) => void) {
  const inst = resample.acquire();
  let ctx = 0;
  try {
    ctx = resample.call(inst, () => create(inst.ex));
    if (!ctx) throw new Error('resample: out of wasm memory');
  } catch (e) {
    resample.release(inst);
    throw e;
  }
  let freed = false;
  let view = new Uint8Array(inst.ex.memory.buffer);
  return {
    ex: inst.ex,
    ctx,
    guarded: <R>(work: () => R): R => resample.call(inst, work),
    heap: () => (view.buffer === inst.ex.memory.buffer ? view : (view = new Uint8Array(inst.ex.memory.buffer))),
    free() {
      if (freed) return;
      freed = true;
      if (!inst.poisoned) resample.call(inst, () => destroy(inst.ex, ctx));
      resample.release(inst);
    },
    check() {
      if (freed) throw new Error('resample: write after close or abort');
    },
  };
}

/* --------------------------------------------------------------------------
 * Kernels
 * ------------------------------------------------------------------------ */

const LOBES = 3;

const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
const lanczos = (x: number) => (Math.abs(x) < LOBES ? sinc(x) * sinc(x / LOBES) : 0);

// Downscaling stretches the kernel over `scale` input pixels per lobe, so every input pixel counts.
const radiusFor = (inputSize: number, outputSize: number) => LOBES * Math.max(1, inputSize / outputSize);
const tapsFor = (inputSize: number, outputSize: number) => Math.ceil(radiusFor(inputSize, outputSize)) * 2 + 1;

/**
 * For each output position, its taps: the first (unclamped) input index, the
 * clamped input indices (beyond the edges the edge pixel repeats) and
 * normalised weights (f32 values), `taps` per position.
 */
interface Kernel {
  taps: number;
  starts: Int32Array;
  sources: Int32Array;
  weights: Float32Array;
}

function kernel(inputSize: number, outputSize: number): Kernel {
  const scale = inputSize / outputSize;
  const stretch = Math.max(1, scale);
  const radius = radiusFor(inputSize, outputSize);
  const taps = tapsFor(inputSize, outputSize);
  const starts = new Int32Array(outputSize);
  const sources = new Int32Array(outputSize * taps);
  const weights = new Float32Array(outputSize * taps);
  for (let out = 0; out < outputSize; out++) {
    const center = (out + 0.5) * scale - 0.5;
    const start = Math.floor(center - radius) + 1;
    starts[out] = start;
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const weight = lanczos((start + t - center) / stretch);
      sources[out * taps + t] = Math.min(inputSize - 1, Math.max(0, start + t));
      weights[out * taps + t] = weight;
      sum += weight;
    }
    for (let t = 0; t < taps; t++) weights[out * taps + t] = weights[out * taps + t]! / sum;
  }
  return { taps, starts, sources, weights };
}

/** Edge pixels the padded scratch row needs on each side so that every tap of `columns` lands inside it. */
function padding(columns: Kernel, inputSize: number): [number, number] {
  const first = columns.starts[0]!;
  const last = columns.starts[columns.starts.length - 1]! + columns.taps - 1;
  return [Math.max(0, -first), Math.max(0, last - (inputSize - 1))];
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;
/** emmalloc's header and alignment slack per allocation, and the context structs. */
const ALLOCATION_OVERHEAD = 64;
const outputRows = (to: Size) => Math.max(1, Math.min(to.height, Math.floor(OUTPUT_BAND_BYTES / (to.width * 4))));

/* --------------------------------------------------------------------------
 * Lanczos3
 * ------------------------------------------------------------------------ */

/**
 * Bytes of wasm memory one {@link lanczos3Rows} holds (mirrors rs_new): the
 * kernels (f64 weights), the padded premultiplied scratch row (f64), the ring
 * of filtered rows (f32, as in ../resample.ts), one input row and an output
 * band. The instance's own initial memory is that of the one shared module
 * (codecs/shared-wasm.ts).
 */
export function resampleMemory(from: Size, to: Size): number {
  const tapsX = tapsFor(from.width, to.width);
  const tapsY = tapsFor(from.height, to.height);
  // The padding is at most a kernel's reach beyond each edge.
  const pad = Math.ceil(radiusFor(from.width, to.width)) + 1;
  return (
    ALLOCATION_OVERHEAD +
    align16(to.width * 4) + align16(to.width * tapsX * 8) + align16(to.height * tapsY * 4) + align16(to.height * tapsY * 8) +
    align16(from.width * 4) + align16((from.width + 2 * pad) * 32) + align16(tapsY * to.width * 16) +
    align16(outputRows(to) * to.width * 4) + align16((tapsY + 1) * 4)
  );
}

export interface Lanczos3Options {
  /**
   * True (the default): f64 sums, byte-identical to ../resample.ts. False: an
   * f32x4 variant about 1.5× faster whose bytes differ from those by at most
   * 1, about one in 10^5 (wasm/resample/README.md).
   */
  exact?: boolean;
  /**
   * The picture has no transparency (every alpha is 255). With `exact:
   * false`, nothing is premultiplied and the sums are 16-bit fixed point,
   * ~1.7× faster than f32 (4032×3024 → 1600: 60 against 104 ms), within 1 of the exact bytes too
   * (wasm/resample/README.md). An alpha that is not 255 is then filtered like
   * a colour, without weighting the colours by it.
   */
  opaque?: boolean;
}

/**
 * A sink for rows of `from` size that resamples them to `to` with Lanczos3
 * and passes output rows on (in bands, lent for the call) as soon as every
 * input row their kernel spans has arrived.
 */
export function lanczos3Rows<T>(from: Size, to: Size, next: RowSink<T>, options: Lanczos3Options = {}): RowSink<T> {
  const columns = kernel(from.width, to.width);
  const rows = kernel(from.height, to.height);
  const [padL, padR] = padding(columns, from.width);
  const bandRows = outputRows(to);
  const { ex, ctx, guarded, heap, free, check } = lease(
    (ex) => ex.rs_new(from.width, from.height, to.width, to.height, columns.taps, rows.taps, padL, padR, bandRows),
    (ex, c) => ex.rs_free(c),
  );
  const inRowBytes = from.width * 4;
  const outRowBytes = to.width * 4;
  let input = 0;
  let output = 0;
  try {
    guarded(() => {
      const buffer = ex.memory.buffer;
      const starts = columns.starts.map((start) => start + padL);
      new Int32Array(buffer, ex.rs_start_x(ctx), to.width).set(starts);
      new Float64Array(buffer, ex.rs_weights_x(ctx), columns.weights.length).set(columns.weights);
      new Int32Array(buffer, ex.rs_sources_y(ctx), rows.sources.length).set(rows.sources);
      new Float64Array(buffer, ex.rs_weights_y(ctx), rows.weights.length).set(rows.weights);
      if (options.exact === false) (options.opaque ? ex.rs_opaque : ex.rs_fast)(ctx);
      input = ex.rs_input(ctx);
      output = ex.rs_output(ctx);
    });
  } catch (e) {
    free();
    throw e;
  }
  return {
    write(band, count) {
      check();
      const rows = rereadable(band);
      for (let r = 0; r < count; r++) {
        const produced = guarded(() => {
          heap().set(rows(r * inRowBytes, (r + 1) * inRowBytes), input);
          ex.rs_push(ctx);
          return ex.rs_emit(ctx);
        });
        for (let n = produced; n > 0; n = guarded(() => ex.rs_emit(ctx))) {
          next.write(heap().subarray(output, output + n * outRowBytes), n);
        }
      }
    },
    close() {
      free();
      return next.close();
    },
    abort() {
      free();
      next.abort();
    },
  };
}

/* --------------------------------------------------------------------------
 * Box shrink
 * ------------------------------------------------------------------------ */

/** Bytes of wasm memory one {@link boxShrinkRows} holds (mirrors bs_new): f64 sums per output column, one input and one output row. */
export function boxShrinkMemory(from: Size, factor: number): number {
  const width = Math.ceil(from.width / factor);
  return ALLOCATION_OVERHEAD + align16(width * 32) + align16(from.width * 4) + align16(width * 4);
}

/**
 * A sink for rows of `from` size that averages `factor`×`factor` blocks
 * (alpha-weighted; partial blocks at the right and bottom edges) and passes
 * each output row of `ceil(from / factor)` size on, lent for the call.
 */
export function boxShrinkRows<T>(from: Size, factor: number, next: RowSink<T>): RowSink<T> {
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`Expected a whole factor ≥ 1 for boxShrinkRows but received ${factor}`);
  const { ex, ctx, guarded, heap, free, check } = lease(
    (ex) => ex.bs_new(from.width, from.height, factor),
    (ex, c) => ex.bs_free(c),
  );
  const inRowBytes = from.width * 4;
  const outRowBytes = Math.ceil(from.width / factor) * 4;
  const input = ex.bs_input(ctx);
  const output = ex.bs_output(ctx);
  return {
    write(band, count) {
      check();
      const rows = rereadable(band);
      for (let r = 0; r < count; r++) {
        const ready = guarded(() => {
          heap().set(rows(r * inRowBytes, (r + 1) * inRowBytes), input);
          return ex.bs_push(ctx);
        });
        if (ready) next.write(heap().subarray(output, output + outRowBytes), 1);
      }
    },
    close() {
      free();
      return next.close();
    },
    abort() {
      free();
      next.abort();
    },
  };
}

/** Resamples a whole picture (tests and whole-picture callers). */
export function resizeRgba(image: RgbaImage, to: Size): Promise<RgbaImage> {
  return replay(image, lanczos3Rows(image, to, collect(to)));
}
