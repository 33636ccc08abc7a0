/**
 * libwebp (1.2.4) compiled to a standalone WebAssembly module: WebP decoding
 * that streams RGBA rows and shrinks on load by an integer box factor, and
 * WebP encoding from rows, so a 24 MP WebP never needs a full-size RGBA copy.
 * Runs in workerd: no JS glue, no eval, no fetch, no Node APIs.
 *
 * Usage:
 *   import codecsWasm from '../edgepix-codecs.wasm'; // WebAssembly.Module
 *   initCodecsWasm(codecsWasm); // the one module of all our codecs (../shared-wasm.ts)
 *   const file = await decodeWebpRows(bytes, { minWidth: 640, minHeight: 0 }, (size) =>
 *     openWebpEncoder(size, { quality: 80, hasAlpha: true }));
 *
 * Build: wasm/codecs/build.sh (libwebp.a from wasm/webp/build.sh; C shim:
 * wasm/webp/codec.c, notes and numbers: wasm/webp/README.md).
 *
 * Error model: libwebp failures are thrown as `WebpError` carrying libwebp's
 * status. The C side calls the imported `env.wp_throw`, which throws through
 * the wasm frames; we then restore the shadow stack and free the decoder or
 * encoder, so the instance stays usable. A trap (or any other engine error
 * inside wasm) poisons the instance: the next call instantiates afresh.
 *
 * Re-entrancy: rows reach the sink from inside the decoder (the `env.wp_rows`
 * import), and that sink may be an encoder (or resampler) of this module: all
 * then share one instance (the decoder's working memory is freed before the encoder's
 * WebPEncode runs, and the rows go to the encoder without a copy).
 */
import type { EncodeOptions, OpenSink, RowSink } from '../rows';
import { sharedWasm } from '../shared-wasm';
import { fromWasm, type BaseExports, type Instance } from '../standalone-wasm';
import { boxShrinkOnLoad } from '../codec';
import type { DecodeHint, Size } from '../types';
import { CodecOutOfMemory } from '../failures';

/**
 * A failure reported by libwebp (or by this wrapper about libwebp's input).
 * @public for wasm/webp/smoke.mjs, which bundles this file
 */
export class WebpError extends Error {
  /** libwebp's VP8StatusCode (0–7), 100+ for the shim's own checks, 200 + WebPEncodingError, -1 for the wrapper. */
  readonly status: number;
  constructor(message: string, status = -1) {
    super(message);
    this.name = 'WebpError';
    this.status = status;
  }
}

export { initCodecsWasm } from '../shared-wasm';

/** The box shrink-on-load this decoder uses (see {@link boxShrinkOnLoad}). */
export const webpShrinkOnLoad = boxShrinkOnLoad;

/**
 * Bytes of WASM memory a decode will need besides the input, from the header
 * facts. Lossy files stream (a few rows at the source width), except for an
 * ALPH chunk: libwebp decodes it as a whole VP8L image (4 B per source pixel,
 * 1 B when paletted) into a whole alpha plane (1 B), ~6 B per source pixel
 * measured. Lossless needs the whole ARGB image (4 B per source pixel).
 * `hasAlpha` (default true, the safe guess) drops the alpha plane when false.
 */
export function webpDecodeMemory(size: Size, lossless: boolean, decoded: Size, hasAlpha = true): number {
  const pixels = size.width * size.height;
  // Our band of finished rows, the two-row shrink line, the 64-bit sums.
  const ours = 32 * decoded.width * 4 + 2 * size.width * 4 + decoded.width * 32;
  if (lossless) {
    // VP8L: the whole ARGB image + 32 cache rows (4 B each); rows reach us one by one.
    return 4 * pixels + 32 * 4 * size.width + ours + DECODER_OVERHEAD;
  }
  // VP8: YUV cache of (16 + 8 filter) rows, top samples, per-macroblock info.
  const vp8 = 48 * size.width + 4 * size.width + (Math.ceil(size.width / 16) + 1) * 1024;
  return vp8 + (hasAlpha ? ALPHA_DECODE_BYTES_PER_PIXEL * pixels : 0) + ours + DECODER_OVERHEAD;
}

/**
 * Decodes, calls open(decodedSize) once, writes every RGBA row band top to
 * bottom into the sink, returns sink.close(); on any failure calls
 * sink.abort() and rethrows. Throws WebpError (with libwebp's status in the
 * message) for bad data. Animated files are refused (status 101).
 */
export async function decodeWebpRows<T>(bytes: Uint8Array, hint: DecodeHint, open: OpenSink<T>): Promise<T> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('libwebp: bytes must be a Uint8Array');
  let sink: RowSink<T> | null = null;
  try {
    const inst = acquire();
    const { ex } = inst;
    let d = 0;
    try {
      d = call(inst, () => ex.wp_dec_new(bytes.length) >>> 0);
      if (d === 0) throw new CodecOutOfMemory(`libwebp: out of memory copying ${bytes.length} input bytes`);
      new Uint8Array(ex.memory.buffer).set(bytes, ex.wp_dec_input(d) >>> 0);
      call(inst, () => ex.wp_dec_header(d));
      const info = () => new Int32Array(ex.memory.buffer, ex.wp_dec_info(d) >>> 0, INFO_COUNT);
      const header = info();
      const source = { width: header[I_WIDTH]!, height: header[I_HEIGHT]! };
      const { factor, size } = webpShrinkOnLoad(source, hint);
      const opened = open(size);
      sink = opened;
      const rowBytes = size.width * 4;
      const previous = rowTargets.get(inst);
      rowTargets.set(inst, (ptr, count) => opened.write(new Uint8Array(ex.memory.buffer, ptr, count * rowBytes), count));
      try {
        call(inst, () => ex.wp_dec_run(d, factor));
      } finally {
        rowTargets.set(inst, previous);
      }
      const rows = info()[I_ROWS_OUT]!;
      if (rows !== size.height) throw new WebpError(`libwebp: decoder gave ${rows} of ${size.height} rows`);
    } finally {
      if (d !== 0 && !inst.poisoned) call(inst, () => ex.wp_dec_destroy(d));
      release(inst);
    }
    return await sink.close();
  } catch (e) {
    sink?.abort();
    throw e;
  }
}

/**
 * Options for {@link openWebpEncoder}: quality 0–100, `method` 0–6 (libwebp's
 * effort, default 4), `lowMemory` (libwebp's low_memory: no token buffer,
 * ~1.5–2.3x the CPU time; default: on when {@link webpUsesTokens} says no,
 * which is what {@link webpEncodeMemory} assumes).
 * `streamed`: the picture is read in passes of its rows, a macroblock row
 * held at a time (default: {@link webpStreams}).
 */
export type WebpEncodeOptions = EncodeOptions & { method?: number; lowMemory?: boolean; streamed?: boolean };

/**
 * Whether an encode reads the rows in passes (an analysis, then the coding,
 * and again if libwebp codes the picture once more) instead of holding the
 * YUV picture: when they can come again, the picture is opaque (the alpha
 * plane's coder needs it whole), the token buffer is kept (low_memory's
 * statistics passes read parts of the picture at random), and the picture
 * would pass WHOLE_PICTURE_MAX_BYTES. Costs a second decode of the original.
 */
function webpStreams(size: Size, options: EncodeOptions): boolean {
  return (
    options.rowsAgain === true &&
    !options.hasAlpha &&
    webpUsesTokens(size, options.quality) &&
    size.width * size.height * YUV420_BYTES_PER_PIXEL > WHOLE_PICTURE_MAX_BYTES
  );
}

/**
 * A sink that takes RGBA rows and writes them straight into libwebp's YUV
 * 4:2:0 (+ alpha plane when options.hasAlpha) WebPPicture; close() runs
 * WebPEncode and resolves to the file.
 */
export function openWebpEncoder(size: Size, options: WebpEncodeOptions): RowSink<Uint8Array> {
  const { width, height } = size;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > WEBP_MAX_DIMENSION || height > WEBP_MAX_DIMENSION) {
    throw new WebpError(`libwebp: expected a size of 1..${WEBP_MAX_DIMENSION} pixels per side but received ${width}x${height}`);
  }
  const quality = Math.min(100, Math.max(0, Number.isFinite(options.quality) ? options.quality : 80));
  const method = Math.min(6, Math.max(0, Math.round(options.method ?? 4)));
  const lowMemory = (options.lowMemory ?? !webpUsesTokens(size, quality)) ? 1 : 0;
  const streamed = options.streamed ?? webpStreams(size, options);
  if (streamed && (options.hasAlpha || lowMemory)) throw new WebpError('libwebp: only an opaque picture with the token buffer can be streamed');
  const inst = acquire();
  const { ex } = inst;
  let e = 0;
  try {
    e = call(inst, () => ex.wp_enc_new(width, height, options.hasAlpha ? 1 : 0, quality, method, lowMemory, streamed ? 1 : 0) >>> 0);
  } catch (err) {
    release(inst);
    throw err;
  }
  if (e === 0) {
    release(inst);
    throw new CodecOutOfMemory(`libwebp: out of memory for a ${width}x${height} picture`);
  }
  const rowBytes = width * 4;
  const stageRows = ex.wp_enc_stage_rows(e);
  let state: 'open' | 'closing' | 'done' = 'open';
  const finish = () => {
    if (state === 'done') return;
    state = 'done';
    if (!inst.poisoned) call(inst, () => ex.wp_enc_destroy(e));
    release(inst);
  };
  const usable = () => {
    if (state !== 'open') throw new WebpError('libwebp: encoder is already closed');
    if (inst.poisoned) throw new WebpError('libwebp: encoder instance was lost after a WebAssembly trap');
  };
  return {
    write(band, count) {
      usable();
      if (band.length < count * rowBytes) {
        throw new WebpError(`libwebp: expected ${count} rows of ${rowBytes} bytes but received ${band.length} bytes`);
      }
      if (band.buffer === ex.memory.buffer) {
        // Rows lent from our own heap (a decoder of this instance): no copy.
        call(inst, () => ex.wp_enc_rows(e, band.byteOffset, count));
        return;
      }
      const stage = ex.wp_enc_stage(e) >>> 0;
      for (let y = 0; y < count; y += stageRows) {
        const n = Math.min(stageRows, count - y);
        new Uint8Array(ex.memory.buffer, stage, n * rowBytes).set(band.subarray(y * rowBytes, (y + n) * rowBytes));
        call(inst, () => ex.wp_enc_rows(e, stage, n));
      }
    },
    ...(streamed && {
      endPass() {
        usable();
        return call(inst, () => ex.wp_enc_end_pass(e)) === 1;
      },
    }),
    async close() {
      usable();
      state = 'closing';
      try {
        const length = call(inst, () => ex.wp_enc_finish(e));
        const at = ex.wp_enc_output(e) >>> 0;
        return new Uint8Array(ex.memory.buffer, at, length).slice();
      } finally {
        finish();
      }
    },
    abort: finish,
  };
}

/**
 * Bytes of WASM memory an encode at `quality` needs: the YUV 4:2:0 picture
 * (1.5 B per pixel, + 1 for alpha), libwebp's encoder state, its token
 * buffer unless low_memory, the output; with alpha, libwebp's lossless alpha
 * coder works on a whole ARGB copy of the plane.
 */
export function webpEncodeMemory(size: Size, options: EncodeOptions): number {
  const { hasAlpha, quality } = options;
  const pixels = size.width * size.height;
  const picture = webpStreams(size, options) ? STREAMED_PLANE_ROWS * size.width * YUV420_BYTES_PER_PIXEL : pixels * (hasAlpha ? 2.5 : 1.5);
  const { tokens, file } = perPixelAt(quality);
  // VP8Encoder: ~0.0625 B/pixel + 2.25 B/column (webp_enc.c).
  const encoder = 0.0625 * pixels + 2.25 * size.width + (webpUsesTokens(size, quality) ? tokens * pixels : 0);
  // The partitions' bit writers (up to 2x the file: they double as they grow), then the memory writer
  // (3x: old and new buffer during a realloc).
  const output = 5 * file * pixels;
  const alpha = hasAlpha ? ALPHA_BYTES_PER_PIXEL * pixels : 0;
  return Math.ceil(picture + encoder + output + alpha + ENCODER_OVERHEAD);
}

/**
 * Whether an encode keeps libwebp's token buffer (one pass, ~1.7–2.3x
 * faster than low_memory's two): while the buffer stays under TOKEN_BUDGET
 * at this quality — up to ~60 MP at q85, 28 MP at q100.
 */
function webpUsesTokens(size: Size, quality: number): boolean {
  return perPixelAt(quality).tokens * size.width * size.height <= TOKEN_BUDGET;
}

/** {@link TOKEN_AND_FILE_BYTES} at `quality`, linearly between the measured qualities. */
function perPixelAt(quality: number): { tokens: number; file: number } {
  const q = Math.min(100, Math.max(0, quality));
  const above = TOKEN_AND_FILE_BYTES.findIndex(([at]) => at >= q);
  const [q1, t1, f1] = TOKEN_AND_FILE_BYTES[above]!;
  if (above === 0) return { tokens: t1, file: f1 };
  const [q0, t0, f0] = TOKEN_AND_FILE_BYTES[above - 1]!;
  const k = (q - q0) / (q1 - q0);
  return { tokens: t0 + k * (t1 - t0), file: f0 + k * (f1 - f0) };
}

// ---------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------

interface Exports extends BaseExports {
  wp_malloc(n: number): number;
  wp_free(p: number): void;
  wp_dec_new(len: number): number;
  wp_dec_input(d: number): number;
  wp_dec_info(d: number): number;
  wp_dec_header(d: number): number;
  wp_dec_run(d: number, factor: number): number;
  wp_dec_destroy(d: number): void;
  wp_enc_new(width: number, height: number, hasAlpha: number, quality: number, method: number, lowMemory: number, streamed: number): number;
  wp_enc_end_pass(e: number): number;
  wp_enc_stage(e: number): number;
  wp_enc_stage_rows(e: number): number;
  wp_enc_rows(e: number, ptr: number, count: number): number;
  wp_enc_finish(e: number): number;
  wp_enc_output(e: number): number;
  wp_enc_destroy(e: number): void;
}

type Inst = Instance<Exports>;

/** Where env.wp_rows goes: the sink of the decoder running in that instance. */
const rowTargets = new WeakMap<Inst, ((ptr: number, count: number) => void) | undefined>();

const libwebp = sharedWasm.codec<Exports>({
  name: 'libwebp',
  throwImport: 'wp_throw',
  toError: (message, status) => new WebpError(message, status),
  imports: (instance) => ({
    wp_rows: (ptr: number, count: number) =>
      fromWasm(() => {
        const target = rowTargets.get(instance);
        if (!target) throw new WebpError('libwebp: rows without a decoder');
        target(ptr >>> 0, count);
      }),
  }),
});
const { acquire, release, call } = libwebp;

// Layout of the Int32 info block (codec.c).
const I_WIDTH = 0;
const I_HEIGHT = 1;
const I_ROWS_OUT = 7;
const INFO_COUNT = 8;

/** WebP's limit per side. */
const WEBP_MAX_DIMENSION = 16383;
const YUV420_BYTES_PER_PIXEL = 1.5;
/** A streamed encoder's planes: one macroblock row and the row above it (codec.c, MB_ROWS + 1). */
const STREAMED_PLANE_ROWS = 17;
/**
 * Above this the encoder streams (see webpStreams), from ~17 MP: a 24 MP
 * full-size WebP then peaks at ~15 MB charged instead of ~50, for a second
 * decode of the original (a tenth of such a request's time). Below it a
 * whole picture costs less than its second decode is worth.
 */
const WHOLE_PICTURE_MAX_BYTES = 24 * 1024 * 1024;
/**
 * The most libwebp's token buffer may take before the encoder runs with
 * low_memory instead (no buffer, 2.3× the time); at that size the YUV
 * picture beside it takes 40–90 MB.
 */
const TOKEN_BUDGET = 16 * 1024 * 1024;
/** Tables, stacks, allocator slack. */
const DECODER_OVERHEAD = 1024 * 1024;
const ENCODER_OVERHEAD = 2 * 1024 * 1024;
/** libwebp's alpha coder: a filtered copy of the plane, an ARGB picture of it, VP8L's hash chain and backward references, two filter trials at method >= 4 (measured 19 B/pixel, see wasm/webp/README.md). */
const ALPHA_BYTES_PER_PIXEL = 20;
/** libwebp's ALPH decoder: a whole VP8L ARGB image, the alpha plane, Huffman tables (measured 6 B/pixel on a 24 MP file). */
const ALPHA_DECODE_BYTES_PER_PIXEL = 6;
/**
 * [quality, token buffer, file] in bytes a pixel at method 4: both grow with
 * the detail a quality keeps. Measured on the most detailed fixture photo
 * (fatih, 12 MP): 0.53 / 0.75 / 1.23 / 2.42 / 3.32 tokens and 0.064 / 0.095 /
 * 0.155 / 0.293 / 0.399 file bytes a pixel at q50 / 75 / 85 / 95 / 100. Our
 * libwebp keeps a token as one bit, plus 5 bits per 4×4 block (~0.1 a pixel;
 * wasm/webp/packed-tokens.patch); a quarter added; below q50 as at q50.
 */
const TOKEN_AND_FILE_BYTES: [number, number, number][] = [
  [50, 0.16, 0.08],
  [75, 0.19, 0.12],
  [85, 0.27, 0.19],
  [95, 0.46, 0.37],
  [100, 0.6, 0.5],
];
