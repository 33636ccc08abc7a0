/**
 * AVIF still images decoded by dav1d (1.0.0, C only) compiled to a standalone
 * WebAssembly module, streaming RGBA rows and shrinking on load by an integer
 * box factor. dav1d (patched: wasm/avif/row-window.patch) hands out rows as
 * it finishes them from a window of a few superblock rows, so memory is that
 * window, dav1d's frame state and the alpha plane if any — never a full-size
 * YUV picture (except for grids and the rare frame dav1d must hold whole:
 * intra block copy, superres, film grain) nor a full-size RGBA copy. Runs in
 * workerd: no JS glue, no eval, no fetch, no Node APIs.
 *
 * Usage:
 *   import codecsWasm from '../edgepix-codecs.wasm'; // WebAssembly.Module
 *   initCodecsWasm(codecsWasm); // the one module of all our codecs (../shared-wasm.ts)
 *   const file = await decodeAvifRows(bytes, { minWidth: 640, minHeight: 0 }, (size) => openSomeEncoder(size));
 *
 * Build: wasm/codecs/build.sh (libdav1d.a from wasm/avif/build.sh; C shim:
 * wasm/avif/decoder.c, notes and numbers: wasm/avif/README.md). The shim reads the HEIF container itself (primary
 * item, grids, the alpha auxiliary item, nclx colour), because libavif's
 * source could not be fetched here; the names keep "libavif" for the role.
 * irot/imir/clap are not applied: edgepix orients later.
 *
 * Error model: bad data is thrown as `AvifError` with a libavif-style
 * message. The C side calls the imported `env.av_throw`, which throws through
 * the shim's wasm frames (never dav1d's: dav1d returns error codes); we then
 * restore the shadow stack and free the decoder, so the instance stays
 * usable. A trap (or any other engine error inside wasm) poisons the
 * instance: the next call instantiates afresh.
 */
import type { OpenSink, RowSink } from '../rows';
import { sharedWasm } from '../shared-wasm';
import type { BaseExports, Instance } from '../standalone-wasm';
import { boxShrinkOnLoad, boxShrunk } from '../codec';
import type { DecodeHint, Size } from '../types';
import { CodecOutOfMemory } from '../failures';

/**
 * A failure reported by the decoder about its input (or by this wrapper).
 * @public for wasm/avif/smoke.mjs, which bundles this file
 */
export class AvifError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AvifError';
  }
}

export { initCodecsWasm, setCodecsMaxRetainedMemory } from '../shared-wasm';

/**
 * The box shrink-on-load this decoder uses: {@link boxShrinkOnLoad}'s factor,
 * at most MAX_WINDOW_FACTOR (the row window keeps factor + 8 rows of
 * look-back); the resampler after it makes anything smaller.
 */
export function avifShrinkOnLoad(size: Size, hint: DecodeHint): { factor: number; size: Size } {
  const factor = Math.min(boxShrinkOnLoad(size, hint).factor, MAX_WINDOW_FACTOR);
  return { factor, size: boxShrunk(size, factor) };
}

/**
 * Bytes of WASM memory a decode needs besides the input: dav1d's colour
 * picture (its allocator pads every side to 128 and strides past multiples
 * of 1024) at the header's width, depth and subsampling — a window of at
 * most {@link WINDOW_ROWS} rows, or the whole height for a grid, whose tiles
 * are composed first — the whole alpha picture, and dav1d's frame state
 * while it decodes (measured, see wasm/avif/README.md). Unknown depth: 8;
 * unknown subsampling: 4:4:4 (the most samples).
 */
export function avifDecodeMemory(
  size: Size,
  info: { bitDepth?: number; subsampling?: '420' | '422' | '444' | '400'; hasAlpha: boolean; grid?: boolean },
): number {
  const hbd = (info.bitDepth ?? 8) > 8;
  const colorRows = info.grid ? size.height : Math.min(size.height, WINDOW_ROWS);
  const color = pictureBytes({ width: size.width, height: colorRows }, info.subsampling ?? '444', hbd);
  const pixels = size.width * size.height;
  const state = DAV1D_STATE_BASE + DAV1D_STATE_PER_PIXEL * pixels;
  // Alpha is decoded first, whole, and kept while the colour rows go out.
  const alpha = info.hasAlpha ? pictureBytes(size, '400', hbd) : 0;
  // The band handed to the sink, two interpolated chroma rows, the shrink sums.
  const ours = BAND_BYTES + 24 * size.width;
  return Math.ceil(color + alpha + state + ours + OVERHEAD);
}

/**
 * Decodes the primary item; calls open(decodedSize) once (from the decoded
 * frame's real size and the factor: the file header may describe another
 * item than the one decoded), writes every RGBA row band top to bottom
 * (alpha 255 when there is none) while dav1d decodes, returns sink.close();
 * on failure calls sink.abort() and rethrows. Throws AvifError for bad data.
 * `window: false` decodes into a whole picture first (the tests compare the two).
 */
export async function decodeAvifRows<T>(bytes: Uint8Array, hint: DecodeHint, open: OpenSink<T>, { window = true } = {}): Promise<T> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('libavif: bytes must be a Uint8Array');
  // Set by env.av_open, inside the decode: typed so that TypeScript does not narrow it to null.
  let sink = null as RowSink<T> | null;
  try {
    const inst = acquire();
    const { ex } = inst;
    let d = 0;
    // Set by the imports, which must not throw through dav1d's frames: rethrown once the decode returns.
    let sinkError: unknown = null;
    let rowBytes = 0;
    let outerTarget: RowTarget | undefined;
    try {
      d = call(inst, () => ex.av_new(bytes.length) >>> 0);
      if (d === 0) throw new CodecOutOfMemory(`libavif: out of memory copying ${bytes.length} input bytes`);
      new Uint8Array(ex.memory.buffer).set(bytes, ex.av_input(d) >>> 0);
      call(inst, () => ex.av_parse(d));
      const header = new Int32Array(ex.memory.buffer, ex.av_info(d) >>> 0, INFO_COUNT);
      const headerSize = { width: header[I_WIDTH]!, height: header[I_HEIGHT]! };
      if (headerSize.width * headerSize.height > AVIF_MAX_PIXELS) {
        throw new AvifError(`libavif: image is ${headerSize.width}x${headerSize.height}, over the ${AVIF_MAX_PIXELS} pixel limit`);
      }
      // The window is made for the header's factor; a decoded frame of another size gets at most that one.
      const maxFactor = avifShrinkOnLoad(headerSize, hint).factor;
      // A sink may start another decode on this instance while it writes: that one's target stands in until it ends.
      outerTarget = rowTargets.get(inst);
      rowTargets.set(inst, {
        open(width, height) {
          try {
            const { factor: wanted } = avifShrinkOnLoad({ width, height }, hint);
            const factor = window ? Math.min(wanted, maxFactor) : wanted;
            const size = boxShrunk({ width, height }, factor);
            rowBytes = size.width * 4;
            sink = open(size);
            return factor;
          } catch (error) {
            sinkError = error;
            return 0;
          }
        },
        emit(ptr, count) {
          try {
            // Lent for the call only: a view of our heap, valid until the next call into wasm.
            sink!.write(new Uint8Array(ex.memory.buffer, ptr, count * rowBytes), count);
            return 0;
          } catch (error) {
            sinkError = error;
            return 1;
          }
        },
      });
      try {
        call(inst, () => ex.av_decode(d, window ? maxFactor : 0));
      } catch (error) {
        throw sinkError ?? error;
      }
    } finally {
      if (outerTarget) rowTargets.set(inst, outerTarget);
      else rowTargets.delete(inst);
      if (d !== 0 && !inst.poisoned) call(inst, () => ex.av_destroy(d));
      release(inst);
    }
    return await sink!.close();
  } catch (e) {
    sink?.abort();
    throw e;
  }
}

// ---------------------------------------------------------------------------
// internals
// ---------------------------------------------------------------------------

interface Exports extends BaseExports {
  av_new(len: number): number;
  av_input(d: number): number;
  av_info(d: number): number;
  av_parse(d: number): number;
  av_decode(d: number, maxFactor: number): number;
  av_destroy(d: number): void;
}

type Inst = Instance<Exports>;

/** Where env.av_open and env.av_emit go: the decode running in an instance. Both answer codes, never throw. */
interface RowTarget {
  open(width: number, height: number): number;
  emit(ptr: number, count: number): number;
}
const rowTargets = new WeakMap<Inst, RowTarget>();

const target = (instance: Inst) => {
  const found = rowTargets.get(instance);
  if (!found) throw new AvifError('libavif: rows without a decode');
  return found;
};

const libavif = sharedWasm.codec<Exports>({
  name: 'libavif',
  throwImport: 'av_throw',
  toError: (message) => new AvifError(message),
  imports: (instance) => ({
    av_open: (width: number, height: number) => target(instance).open(width, height),
    av_emit: (ptr: number, count: number) => target(instance).emit(ptr >>> 0, count),
  }),
});
const { acquire, release, call } = libavif;

// Layout of the Int32 info block (decoder.c).
const I_WIDTH = 0;
const I_HEIGHT = 1;
const INFO_COUNT = 20;

/** Refused before decoding (header size), like the JPEG decoder's cap. */
const AVIF_MAX_PIXELS = 200_000_000;
/** The shim's band of rows per sink.write (BAND_BYTES in decoder.c). */
const BAND_BYTES = 1024 * 1024;
/** The largest box factor a row window is made for (see {@link avifShrinkOnLoad}; LOOK_BACK_ROWS in decoder.c). */
const MAX_WINDOW_FACTOR = 96;
/**
 * The rows a colour window allocates at most: a 128-row superblock row, the
 * look-back (MAX_WINDOW_FACTOR + 8, at least 16) and 16 more
 * (row_window_rows in row-window.patch), rounded up to 128 by dav1d's allocator.
 */
const WINDOW_ROWS = 256;
/**
 * dav1d's frame state while it decodes one frame single-threaded, freed when
 * the decoder is closed (measured: 7.6–8.0 MiB beyond the picture at 12 MP,
 * 13.1–14.0 at 24 MP, with the 2 MiB initial memory; see wasm/avif/README.md).
 */
const DAV1D_STATE_BASE = 512 * 1024;
const DAV1D_STATE_PER_PIXEL = 0.5;
/** The module's 2 MiB initial memory (512 KiB stack, static data), less the part the heap reuses. */
const OVERHEAD = 1.5 * 1024 * 1024;

/** dav1d_default_picture_alloc's layout (dav1d 1.0.0 src/picture.c). */
function pictureBytes(size: Size, subsampling: '420' | '422' | '444' | '400', hbd: boolean): number {
  const alignedW = (size.width + 127) & ~127;
  const alignedH = (size.height + 127) & ~127;
  let yStride = alignedW << (hbd ? 1 : 0);
  let uvStride = subsampling === '400' ? 0 : subsampling === '444' ? yStride : yStride >> 1;
  if ((yStride & 1023) === 0) yStride += 64;
  if (uvStride > 0 && (uvStride & 1023) === 0) uvStride += 64;
  const uvRows = subsampling === '420' ? alignedH >> 1 : alignedH;
  return yStride * alignedH + 2 * uvStride * uvRows + 64;
}
