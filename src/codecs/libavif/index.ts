/**
 * AVIF still images decoded by dav1d (1.0.0, C only) compiled to a standalone
 * WebAssembly module, streaming RGBA rows and shrinking on load by an integer
 * box factor: memory is the decoded YUV frame plus a few rows, never a
 * full-size RGBA copy. Runs in workerd: no JS glue, no eval, no fetch, no
 * Node APIs.
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
import type { BaseExports } from '../standalone-wasm';
import { boxShrinkOnLoad } from '../codec';
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

/** The box shrink-on-load this decoder uses (see {@link boxShrinkOnLoad}). */
export const avifShrinkOnLoad = boxShrinkOnLoad;

/**
 * Bytes of WASM memory a decode needs besides the input: dav1d's picture
 * (its allocator pads every side to 128 and strides past multiples of 1024)
 * at the header's size, depth and subsampling, the alpha picture, and
 * dav1d's frame state while it decodes (measured, see wasm/avif/README.md).
 * Unknown depth: 8; unknown subsampling: 4:4:4 (the most samples).
 */
export function avifDecodeMemory(
  size: Size,
  info: { bitDepth?: number; subsampling?: '420' | '422' | '444' | '400'; hasAlpha: boolean },
): number {
  const hbd = (info.bitDepth ?? 8) > 8;
  const color = pictureBytes(size, info.subsampling ?? '444', hbd);
  const pixels = size.width * size.height;
  const state = DAV1D_STATE_BASE + DAV1D_STATE_PER_PIXEL * pixels;
  // Alpha is decoded after colour, whose decoder is closed by then.
  const alpha = info.hasAlpha ? pictureBytes(size, '400', hbd) : 0;
  // The band handed to the sink, two interpolated chroma rows, the shrink sums.
  const ours = BAND_BYTES + 24 * size.width;
  return Math.ceil(color + alpha + state + ours + OVERHEAD);
}

/**
 * Decodes the primary item; calls open(decodedSize) once (from the decoded
 * frame's real size and the factor: the file header may describe another
 * item than the one decoded), writes every RGBA row band top to bottom
 * (alpha 255 when there is none), returns sink.close(); on failure calls
 * sink.abort() and rethrows. Throws AvifError for bad data.
 */
export async function decodeAvifRows<T>(bytes: Uint8Array, hint: DecodeHint, open: OpenSink<T>): Promise<T> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('libavif: bytes must be a Uint8Array');
  let sink: RowSink<T> | null = null;
  try {
    const inst = acquire();
    const { ex } = inst;
    let d = 0;
    try {
      d = call(inst, () => ex.av_new(bytes.length) >>> 0);
      if (d === 0) throw new CodecOutOfMemory(`libavif: out of memory copying ${bytes.length} input bytes`);
      new Uint8Array(ex.memory.buffer).set(bytes, ex.av_input(d) >>> 0);
      const info = () => new Int32Array(ex.memory.buffer, ex.av_info(d) >>> 0, INFO_COUNT);
      call(inst, () => ex.av_parse(d));
      const header = info();
      if (header[I_WIDTH]! * header[I_HEIGHT]! > AVIF_MAX_PIXELS) {
        throw new AvifError(`libavif: image is ${header[I_WIDTH]}x${header[I_HEIGHT]}, over the ${AVIF_MAX_PIXELS} pixel limit`);
      }
      call(inst, () => ex.av_decode(d));
      const decoded = info();
      const { factor, size } = avifShrinkOnLoad({ width: decoded[I_DEC_WIDTH]!, height: decoded[I_DEC_HEIGHT]! }, hint);
      call(inst, () => ex.av_start(d, factor));
      const opened = open(size);
      sink = opened;
      const rowBytes = size.width * 4;
      const bandRows = Math.max(1, Math.min(size.height, MAX_BAND_ROWS, Math.floor(BAND_BYTES / rowBytes)));
      const band = call(inst, () => ex.av_malloc(bandRows * rowBytes) >>> 0);
      if (band === 0) throw new CodecOutOfMemory(`libavif: out of memory for a ${size.width}x${bandRows} band`);
      try {
        let y = 0;
        while (y < size.height) {
          const n = call(inst, () => ex.av_rows(d, band, bandRows));
          if (n <= 0) throw new AvifError(`libavif: decoder stopped at row ${y} of ${size.height}`);
          // Lent for the call only: a view of our heap, valid until the next call into wasm.
          opened.write(new Uint8Array(ex.memory.buffer, band, n * rowBytes), n);
          y += n;
        }
      } finally {
        if (!inst.poisoned) call(inst, () => ex.av_free(band));
      }
    } finally {
      if (d !== 0 && !inst.poisoned) call(inst, () => ex.av_destroy(d));
      release(inst);
    }
    return await sink.close();
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
  av_decode(d: number): number;
  av_start(d: number, factor: number): number;
  av_rows(d: number, dst: number, maxRows: number): number;
  av_destroy(d: number): void;
  av_malloc(n: number): number;
  av_free(p: number): void;
}

const libavif = sharedWasm.codec<Exports>({
  name: 'libavif',
  throwImport: 'av_throw',
  toError: (message) => new AvifError(message),
});
const { acquire, release, call } = libavif;

// Layout of the Int32 info block (decoder.c).
const I_WIDTH = 0;
const I_HEIGHT = 1;
const I_DEC_WIDTH = 6;
const I_DEC_HEIGHT = 7;
const INFO_COUNT = 20;

/** Refused before decoding (header size), like the JPEG decoder's cap. */
const AVIF_MAX_PIXELS = 200_000_000;
/** Rows per sink.write: at most this many, and at most BAND_BYTES. */
const MAX_BAND_ROWS = 32;
const BAND_BYTES = 1024 * 1024;
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
