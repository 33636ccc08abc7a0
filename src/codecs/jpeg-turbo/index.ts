/**
 * libjpeg-turbo (2.1.5) JPEG decoder compiled to a standalone WebAssembly
 * module, with DCT-domain shrink-on-load (1/1, 1/2, 1/4, 1/8) and scanline
 * streaming. Runs in workerd: no JS glue, no eval, no fetch, no Node APIs.
 *
 * Usage:
 *   import codecsWasm from '../edgepix-codecs.wasm'; // WebAssembly.Module
 *   initCodecsWasm(codecsWasm); // the one module of all our codecs (../shared-wasm.ts)
 *   const { width, height, data, scaleDenom } = decodeJpeg(bytes, { minWidth: 400, minHeight: 300 });
 *
 * The same module encodes from rows: `openJpegEncoder` (encode.ts).
 *
 * Build: wasm/codecs/build.sh (libjpeg.a from wasm/jpeg-turbo/build.sh; C shims: wasm/jpeg-turbo/decoder.c, encoder.c).
 *
 * Progressive files decoded below full size stop reading scans once every
 * coefficient the scaled IDCT needs is exact (libjpeg buffered-image mode);
 * the pixels are identical to reading every scan. A file damaged only in
 * scans after that point therefore decodes (see wasm/jpeg-turbo/README.md).
 *
 * Error model: libjpeg errors (and, with `strict` on, corrupt-data warnings
 * such as a truncated file) are thrown as `JpegError` (an `Error`) carrying
 * libjpeg's message. The C side never uses setjmp/longjmp: its error hook
 * calls the imported `env.jt_throw`, which throws through the wasm frames;
 * we then restore the shadow stack and free the decoder, so the instance
 * stays usable. Any other failure inside wasm (a trap) discards the instance;
 * the next call re-instantiates from the saved Module (instance.ts,
 * ../shared-wasm.ts).
 */
import { acquire, callback, cleanup, guarded, JpegError, readCString, release, type Exports, type Inst } from './instance';
import { CodecOutOfMemory } from '../failures';

export { JpegError } from './instance';
export { CODECS_MAX_RETAINED_MEMORY, codecsMemoryBytes, initCodecsWasm, setCodecsMaxRetainedMemory } from '../shared-wasm';
export { jpegEncodeMemory, openJpegEncoder } from './encode';

export interface JpegInfo {
  width: number;
  height: number;
  progressive: boolean;
  components: number;
  colorSpace: 'gray' | 'rgb' | 'ycbcr' | 'cmyk' | 'ycck' | 'unknown';
  /** [h, v] sampling factors per component (up to 4), as in the SOF. */
  samplingFactors: [number, number][];
  /** Arithmetic-coded (SOF9..SOF15) rather than Huffman. */
  arithmetic: boolean;
}

export interface JpegDecodeOptions {
  /** Smallest acceptable output width (0 = no constraint). */
  minWidth?: number;
  /** Smallest acceptable output height (0 = no constraint). */
  minHeight?: number;
  /**
   * Treat libjpeg's corrupt-data warnings (truncated file, bad Huffman code,
   * premature end of segment, ...) as errors. Default true. With false, libjpeg
   * recovers (missing rows become grey) and `warning` reports the first one.
   * Purely informational warnings (extraneous bytes before a marker, unknown
   * JFIF revision, bad ICC marker, unknown Adobe transform) never throw.
   */
  strict?: boolean;
  /** Refuse images whose header says width*height exceeds this (default and cap: 200 million). */
  maxPixels?: number;
  /**
   * Cap, in bytes, on libjpeg's own working memory (default: none). It matters
   * for progressive/multi-scan files, which need a whole-image coefficient
   * buffer (~3 bytes per source pixel for 4:2:0, ~6 for 4:4:4, at any scale);
   * over the cap the decode throws instead of growing wasm memory. Does not
   * count the input copy (bytes.length) or the output strip.
   */
  maxMemory?: number;
  /**
   * Progressive files at 1/1, 1/2, 1/4: cap, in bytes, on the coefficient
   * buffer (default: none, one whole-image buffer). When the whole image's
   * coefficients do not fit, the image is decoded in K horizontal bands (the
   * smallest K <= `maxBands` that fits, see `progressiveBandPlan`): each band
   * keeps only its own rows' coefficients (plus one iMCU row above and below)
   * and resumes every scan where the previous band left it, so the entropy
   * decoding is still done about once (arithmetic-coded files: about (K+1)/2
   * times). Pixels are identical to the one-buffer decode; rows still come
   * out in order. Throws a JpegError before decoding if even `maxBands` bands
   * (at 1/8, where progressive files keep DC-only components and are never
   * banded: the one buffer) do not fit. Ignored for baseline files.
   * A corrupt scan may then throw after some rows were handed out.
   */
  maxCoefficientBytes?: number;
  /** Most bands `maxCoefficientBytes` may choose (default JPEG_MAX_BANDS = 16). */
  maxBands?: number;
  /** @internal Test hook: decode in exactly this many bands (clamped to the iMCU rows); overrides maxCoefficientBytes. */
  bands?: number;
  /**
   * @internal Progressive files decoded below full size stop entropy-decoding
   * once every coefficient the scaled IDCT reads is complete (default true).
   * `false` reads every scan, as before (tests compare the two).
   */
  progressiveEarlyStop?: boolean;
  /** @internal Test hook: filled in after a decode (scans read, whether trailing scans were skipped). */
  progressiveStats?: { scansRead: number; earlyStop: boolean; bands?: number };
}

export interface JpegRowsOptions extends JpegDecodeOptions {
  /** Rows per callback (default 16, max 1024). The last strip may be shorter. */
  stripRows?: number;
  /** Called once, after the header is read and the scale chosen, before any rows. */
  onStart?: (out: { width: number; height: number; scaleDenom: number; info: JpegInfo }) => void;
}

export interface DecodedJpeg {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  scaleDenom: number;
  /** First libjpeg warning, if any (only possible for benign warnings or with strict: false). */
  warning?: string;
}

/** Absolute pixel cap from the header, checked before any pixel memory is allocated. */
const JPEG_MAX_PIXELS = 200_000_000;

/** Most bands `maxCoefficientBytes` may choose by default. */
const JPEG_MAX_BANDS = 16;

/** What `progressiveBandPlan` needs from a header (edgepix's ImageHeader fits). */
export interface JpegBandHeader {
  width: number;
  height: number;
  /** false: baseline/sequential, no coefficient buffer (default true). */
  progressive?: boolean;
  /** [h, v] per component; absent or empty = 4:4:4 with 3 components (the most coefficients). */
  samplingFactors?: readonly (readonly [number, number])[];
  /**
   * Arithmetic-coded (SOF10) rather than Huffman (SOF2, default false). Banded
   * decoding of an arithmetic-coded file keeps an extra 8 bytes per block.
   */
  arithmetic?: boolean;
}

export interface JpegBandPlan {
  /** Horizontal bands the decode runs in (1 = the whole image at once). */
  bands: number;
  /** Bytes of coefficient storage (the largest band's buffer, plus the nonzero masks for an arithmetic-coded file in bands). */
  coefficientBytes: number;
  /** coefficientBytes <= maxCoefficientBytes. */
  fits: boolean;
}

/**
 * The coefficient memory of a progressive decode at 1/`scaleDenom`, and the
 * smallest number of bands (<= maxBands) that brings it to at most
 * `maxCoefficientBytes`. Mirrors decoder.c + the patches exactly:
 *  - 1 band: a 64-coefficient block (128 bytes) per 8x8 block of every
 *    component, the component padded to whole MCUs (libjpeg's
 *    width_in_blocks/height_in_blocks rounded up to the sampling factors);
 *    at 1/8 a component whose scaled IDCT is 1x1 keeps 2 bytes (its DC) per
 *    block instead, and 1/8 is never banded;
 *  - K bands: band k outputs iMCU rows [floor(kT/K), floor((k+1)T/K)) of the
 *    T = ceil(height / (8 * max v)) rows and stores those plus one iMCU row
 *    above and below (every band allocates the largest band's rows, v block
 *    rows per iMCU row per component). Arithmetic-coded files also keep 8
 *    bytes per block of the whole image, rows padded to T*v (the nonzero mask
 *    of the AC coefficients, needed to parse refinement scans: Huffman files
 *    resume each scan from a checkpoint instead, a few dozen bytes per scan,
 *    not counted).
 * Baseline (progressive: false): 0 bytes, 1 band.
 */
export function progressiveBandPlan(
  header: JpegBandHeader,
  scaleDenom: number,
  maxCoefficientBytes = Infinity,
  maxBands = JPEG_MAX_BANDS,
): JpegBandPlan {
  if (header.progressive === false) return { bands: 1, coefficientBytes: 0, fits: 0 <= maxCoefficientBytes };
  const factors = header.samplingFactors?.length ? header.samplingFactors : ([[1, 1], [1, 1], [1, 1]] as const);
  const maxH = Math.max(...factors.map(([h]) => h));
  const maxV = Math.max(...factors.map(([, v]) => v));
  const roundUp = (a: number, b: number) => Math.ceil(a / b) * b;
  const T = Math.ceil(header.height / (8 * maxV));
  const comps = factors.map(([h, v]) => {
    const stride = roundUp(Math.ceil((header.width * h) / (maxH * 8)), h);
    const rows = roundUp(Math.ceil((header.height * v) / (maxV * 8)), v);
    // jpeg_core_output_dimensions: at 1/8 the IDCT is 1x1 unless the sampling lets it double.
    const dcOnly = scaleDenom === 8 && !(maxH % (2 * h) === 0 && maxV % (2 * v) === 0);
    return { stride, rows, v, dcOnly };
  });
  const whole = comps.reduce((sum, c) => sum + c.stride * c.rows * (c.dcOnly ? 2 : 128), 0);
  if (whole <= maxCoefficientBytes || scaleDenom >= 8 || T < 2) {
    return { bands: 1, coefficientBytes: whole, fits: whole <= maxCoefficientBytes };
  }
  const mask = header.arithmetic ? comps.reduce((sum, c) => sum + c.stride * T * c.v * 8, 0) : 0;
  const bandedBytes = (K: number) => {
    let rows = 0; // iMCU rows of the largest band, every band allocates that many
    for (let k = 0; k < K; k++) {
      const r0 = Math.floor((T * k) / K);
      const r1 = Math.floor((T * (k + 1)) / K);
      rows = Math.max(rows, (r1 < T ? r1 + 1 : T) - (r0 > 0 ? r0 - 1 : 0));
    }
    return mask + comps.reduce((sum, c) => sum + c.stride * rows * c.v * 128, 0);
  };
  const limit = Math.max(2, Math.min(Math.floor(maxBands), T));
  let bytes = whole;
  for (let K = 2; K <= limit; K++) {
    bytes = bandedBytes(K);
    if (bytes <= maxCoefficientBytes) return { bands: K, coefficientBytes: bytes, fits: true };
  }
  return { bands: limit, coefficientBytes: bytes, fits: false };
}

/**
 * Reads only the header (no pixel decode). Throws Error on non-JPEG/corrupt header.
 * @public for wasm/jpeg-turbo/smoke.mjs, which bundles this file
 */
export function readJpegInfo(bytes: Uint8Array): JpegInfo {
  return withDecoder(bytes, (d) => {
    d.ex.jt_read_header(d.ctx, 1);
    return d.info();
  });
}

/**
 * Decodes to RGBA 8-bit at the smallest DCT scale (1/8,1/4,1/2,1) whose output is still >= minWidth x minHeight (both 0 = full size).
 * @public for wasm/jpeg-turbo/smoke.mjs, which bundles this file
 */
export function decodeJpeg(bytes: Uint8Array, opts?: JpegDecodeOptions): DecodedJpeg {
  const dst = { data: new Uint8ClampedArray(0), rowBytes: 0 };
  const res = decodeStrips(bytes, opts ?? {}, 0, (out) => {
    dst.rowBytes = out.width * 4;
    // A RangeError here (cannot allocate) is thrown outside wasm: instance unaffected.
    dst.data = new Uint8ClampedArray(out.width * out.height * 4);
  }, (strip, y) => {
    dst.data.set(strip, y * dst.rowBytes);
  });
  const result: DecodedJpeg = { width: res.width, height: res.height, data: dst.data, scaleDenom: res.scaleDenom };
  if (res.warning !== undefined) result.warning = res.warning;
  return result;
}

/**
 * Streams the decoded image as RGBA strips of `stripRows` rows, top to bottom,
 * so a caller can shrink or encode without a full-size RGBA buffer.
 * `rows` holds `count * width * 4` bytes for rows y .. y+count-1. It is a
 * reused buffer: it is only valid until the callback returns (copy it to keep it).
 * Memory: baseline JPEGs really stream (a few strips of wasm heap);
 * progressive ones need libjpeg's whole-image coefficient buffer (2 bytes per
 * coefficient: ~3 bytes per source pixel for 4:2:0, at 1/1..1/4), or one
 * band's share of it with `maxCoefficientBytes`.
 */
export function decodeJpegRows(
  bytes: Uint8Array,
  opts: JpegRowsOptions | undefined,
  onRows: (rows: Uint8Array, y: number, count: number) => void,
): { width: number; height: number; scaleDenom: number; warning?: string } {
  const o = opts ?? {};
  const stripRows = Math.max(1, Math.min(1024, Math.floor(o.stripRows ?? 16)));
  return decodeStrips(bytes, o, stripRows, o.onStart, (strip, y, count) => onRows(strip, y, count));
}

// ---------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------

// Layout of the Int32 info block (see decoder.c).
const I_WIDTH = 0;
const I_HEIGHT = 1;
const I_PROGRESSIVE = 2;
const I_COMPONENTS = 3;
const I_COLOR_SPACE = 4;
const I_OUT_WIDTH = 6;
const I_OUT_HEIGHT = 7;
const I_WARNINGS = 9;
const I_SCANS_READ = 12;
const I_EARLY_STOP = 13;
const I_BANDS = 14;
const I_SAMPLING = 15;
const I_ARITH = 23;
const INFO_COUNT = 24;

/** jt_start flags (decoder.c). */
const JT_FLAG_EARLY_STOP = 1;

const COLOR_SPACES: readonly JpegInfo['colorSpace'][] = ['unknown', 'gray', 'rgb', 'ycbcr', 'cmyk', 'ycck'];

/** Bytes of wasm heap used per strip when decoding a whole image (decodeJpeg). */
const FULL_DECODE_STRIP_BYTES = 1 << 20;

interface Decoder {
  inst: Inst;
  ex: Exports;
  ctx: number;
  /** Heap blocks to free when the decoder is released. */
  allocs: number[];
  infoArr(): Int32Array;
  info(): JpegInfo;
  heap(): Uint8Array;
}

/**
 * Runs `fn` with a fresh libjpeg context holding a heap copy of `bytes`, and
 * guarantees cleanup on every path (see `guarded` for how errors are sorted):
 * the context and `allocs` are freed unless the instance was poisoned.
 */
function withDecoder<T>(bytes: Uint8Array, fn: (d: Decoder) => T): T {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('jpeg-turbo: bytes must be a Uint8Array');
  const inst = acquire();
  const ex = inst.ex;
  let ctx = 0;
  const d: Decoder = {
    inst,
    ex,
    ctx: 0,
    allocs: [],
    infoArr: () => new Int32Array(ex.memory.buffer, ex.jt_info(ctx) >>> 0, INFO_COUNT),
    info: () => {
      const a = d.infoArr();
      return {
        width: a[I_WIDTH]!,
        height: a[I_HEIGHT]!,
        progressive: a[I_PROGRESSIVE] === 1,
        components: a[I_COMPONENTS]!,
        colorSpace: COLOR_SPACES[a[I_COLOR_SPACE]!] ?? 'unknown',
        samplingFactors: Array.from({ length: Math.min(4, a[I_COMPONENTS]!) }, (_, i): [number, number] => [
          a[I_SAMPLING + 2 * i]!,
          a[I_SAMPLING + 2 * i + 1]!,
        ]),
        arithmetic: a[I_ARITH] === 1,
      };
    },
    heap: () => new Uint8Array(ex.memory.buffer),
  };
  try {
    return guarded(inst, () => {
      ctx = ex.jt_new(bytes.length) >>> 0;
      if (ctx === 0) throw new CodecOutOfMemory(`jpeg-turbo: out of memory copying ${bytes.length} input bytes`);
      d.ctx = ctx;
      d.heap().set(bytes, ex.jt_input(ctx) >>> 0);
      return fn(d);
    });
  } finally {
    cleanup(inst, () => {
      for (const p of d.allocs) ex.jt_free(p);
      if (ctx !== 0) ex.jt_destroy(ctx);
    });
    release(inst);
  }
}

function decodeStrips(
  bytes: Uint8Array,
  o: JpegDecodeOptions,
  stripRows: number, // 0 = pick from FULL_DECODE_STRIP_BYTES
  onStart: ((out: { width: number; height: number; scaleDenom: number; info: JpegInfo }) => void) | undefined,
  onStrip: (strip: Uint8Array, y: number, count: number) => void,
): { width: number; height: number; scaleDenom: number; warning?: string } {
  const strict = o.strict === false ? 0 : 1;
  const maxPixels = Math.min(o.maxPixels ?? JPEG_MAX_PIXELS, JPEG_MAX_PIXELS);
  const minW = Math.max(0, Math.floor(o.minWidth ?? 0)) | 0;
  const minH = Math.max(0, Math.floor(o.minHeight ?? 0)) | 0;
  const maxMem = o.maxMemory && o.maxMemory > 0 ? Math.min(Math.floor(o.maxMemory), 0x7fffffff) : 0;
  return withDecoder(bytes, (d) => {
    const { ex, ctx } = d;
    ex.jt_read_header(ctx, strict);
    const info = d.info();
    if (info.width * info.height > maxPixels) {
      throw new JpegError(
        `jpeg-turbo: image is ${info.width}x${info.height} (${info.width * info.height} pixels), over the ${maxPixels} pixel limit`,
      );
    }
    const denom = ex.jt_pick_scale(ctx, minW, minH);
    let bands = 1;
    if (o.bands !== undefined) bands = Math.max(1, Math.min(0x7fffffff, Math.floor(o.bands)));
    else if (o.maxCoefficientBytes !== undefined && info.progressive) {
      const plan = progressiveBandPlan(info, denom, o.maxCoefficientBytes, o.maxBands ?? JPEG_MAX_BANDS);
      if (!plan.fits) {
        throw new JpegError(
          `jpeg-turbo: ${info.width}x${info.height} progressive at 1/${denom} needs ${plan.coefficientBytes} bytes of coefficients in ${plan.bands} band(s), over maxCoefficientBytes ${o.maxCoefficientBytes}`,
        );
      }
      bands = plan.bands;
    }
    ex.jt_start(ctx, denom, strict, maxMem, o.progressiveEarlyStop === false ? 0 : JT_FLAG_EARLY_STOP, bands);
    let a = d.infoArr();
    if (o.progressiveStats) {
      o.progressiveStats.scansRead = a[I_SCANS_READ]!;
      o.progressiveStats.earlyStop = a[I_EARLY_STOP] === 1;
      o.progressiveStats.bands = a[I_BANDS]!;
    }
    const width = a[I_OUT_WIDTH]!;
    const height = a[I_OUT_HEIGHT]!;
    const rowBytes = width * 4;
    const rows = stripRows > 0 ? stripRows : Math.max(1, Math.min(height, Math.floor(FULL_DECODE_STRIP_BYTES / rowBytes)));
    const out = { width, height, scaleDenom: denom, info };
    if (onStart) callback(() => onStart(out));
    const strip = ex.jt_malloc(rows * rowBytes) >>> 0;
    if (strip === 0) throw new CodecOutOfMemory(`jpeg-turbo: out of memory for a ${width}x${rows} strip`);
    d.allocs.push(strip);
    // Reused JS-side buffer handed to the callback (never a view of wasm memory,
    // so it cannot be detached by a later memory.grow).
    const js = new Uint8Array(rows * rowBytes);
    let y = 0;
    while (y < height) {
      const n = ex.jt_read_rows(ctx, strip, rows);
      if (n <= 0) throw new JpegError(`jpeg-turbo: decoder stopped at row ${y} of ${height}`);
      const view = n === rows ? js : js.subarray(0, n * rowBytes);
      view.set(new Uint8Array(ex.memory.buffer, strip, n * rowBytes));
      callback(() => onStrip(view, y, n));
      if (d.inst.poisoned) throw new JpegError('jpeg-turbo: instance was discarded during the callback');
      y += n;
    }
    ex.jt_finish(ctx);
    a = d.infoArr();
    const res: { width: number; height: number; scaleDenom: number; warning?: string } = { width, height, scaleDenom: denom };
    if (a[I_WARNINGS]! > 0) res.warning = readCString(d.inst, ex.jt_warning(ctx) >>> 0);
    return res;
  });
}
