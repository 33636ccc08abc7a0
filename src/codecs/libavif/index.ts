/**
 * AVIF still images decoded by dav1d (1.0.0, C only) compiled to a standalone
 * WebAssembly module, streaming RGBA rows and shrinking on load by an integer
 * box factor: memory is the decoded YUV frame plus a few rows, never a
 * full-size RGBA copy. Runs in workerd: no JS glue, no eval, no fetch, no
 * Node APIs.
 *
 * Usage:
 *   import avifWasm from './libavif/avif_dec.wasm'; // WebAssembly.Module
 *   initLibavif(avifWasm);
 *   const file = await decodeAvifRows(bytes, { minWidth: 640, minHeight: 0 }, (size) => openSomeEncoder(size));
 *
 * Build: wasm/avif/build.sh (C shim: wasm/avif/decoder.c, notes and numbers:
 * wasm/avif/README.md). The shim reads the HEIF container itself (primary
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
import { trackWasmMemory } from '../../lib/memory-meter';
import type { OpenSink, RowSink } from '../rows';
import type { DecodeHint, Size } from '../types';

/** A failure reported by the decoder about its input (or by this wrapper). */
export class AvifError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AvifError';
  }
}

/** Call once per isolate with the imported module; instantiation is lazy. */
export function initLibavif(module: WebAssembly.Module): void {
  if (savedModule === module) return;
  savedModule = module;
  current = null;
}

/** The default for {@link setAvifMaxRetainedMemory}: an instance whose memory grew past this is dropped after its job. */
export const AVIF_MAX_RETAINED_MEMORY = 16 * 1024 * 1024;

/** Changes the instance-drop threshold (bytes). Memories never shrink, so a grown instance is let go once idle. */
export function setAvifMaxRetainedMemory(bytes: number): void {
  maxRetainedMemory = Math.max(0, bytes);
}

/**
 * The integer box shrink factor (1, 2, 3, …) and the size it gives: the
 * largest factor whose result (ceil division) is still >= hint. Pure.
 */
export function avifShrinkOnLoad(size: Size, hint: DecodeHint): { factor: number; size: Size } {
  // ceil(n / f) >= min  <=>  f < n / (min - 1)
  const axis = (n: number, min: number) => (min <= 1 ? n : min > n ? 1 : Math.ceil(n / (min - 1)) - 1);
  const limit = Math.max(1, size.width, size.height);
  const factor = Math.max(
    1,
    Math.min(axis(size.width, Math.ceil(hint.minWidth)), axis(size.height, Math.ceil(hint.minHeight)), limit),
  );
  return { factor, size: { width: Math.ceil(size.width / factor), height: Math.ceil(size.height / factor) } };
}

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
      if (d === 0) throw new AvifError(`libavif: out of memory copying ${bytes.length} input bytes`);
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
      if (band === 0) throw new AvifError(`libavif: out of memory for a ${size.width}x${bandRows} band`);
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

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  stackSave(): number;
  stackRestore(sp: number): void;
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

interface Inst {
  ex: Exports;
  /** Set after a trap: never call into this instance again. */
  poisoned: boolean;
  /** Decodes currently holding this instance. */
  users: number;
}

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

let savedModule: WebAssembly.Module | null = null;
let current: Inst | null = null;
let maxRetainedMemory = AVIF_MAX_RETAINED_MEMORY;

/** An error the shim raised through env.av_throw. */
class WasmThrow extends AvifError {}

function instantiate(): Inst {
  if (!savedModule) throw new Error('libavif: initLibavif(module) has not been called');
  let memory: WebAssembly.Memory | null = null;
  const inst: Inst = { ex: null as unknown as Exports, poisoned: false, users: 0 };
  const imports = {
    env: {
      av_throw(msgPtr: number): never {
        throw new WasmThrow(readCString(new Uint8Array(memory!.buffer), msgPtr >>> 0));
      },
      // Views are re-created from memory.buffer on every use: nothing to do.
      emscripten_notify_memory_growth(_index: number): void {},
    },
    // Only reachable from libc's stdio and abort(); dav1d's logging is compiled out.
    wasi_snapshot_preview1: {
      fd_write(_fd: number, iovs: number, iovcnt: number, pnum: number): number {
        const v = new DataView(memory!.buffer);
        let total = 0;
        for (let i = 0; i < iovcnt; i++) total += v.getUint32((iovs >>> 0) + i * 8 + 4, true);
        v.setUint32(pnum >>> 0, total, true);
        return 0;
      },
      fd_seek(_fd: number, _offset: bigint, _whence: number, _newOffsetPtr: number): number {
        return 70; // ESPIPE
      },
      fd_close(_fd: number): number {
        return 0;
      },
      proc_exit(code: number): never {
        throw new WebAssembly.RuntimeError(`libavif: wasm called proc_exit(${code})`);
      },
    },
  };
  const instance = new WebAssembly.Instance(savedModule, imports);
  const ex = instance.exports as unknown as Exports;
  memory = ex.memory;
  inst.ex = ex;
  ex._initialize();
  trackWasmMemory(memory);
  return inst;
}

function acquire(): Inst {
  const inst = current && !current.poisoned ? current : (current = instantiate());
  inst.users++;
  return inst;
}

/** Memories never shrink: once nobody uses a grown instance, let it be collected. */
function release(inst: Inst): void {
  inst.users--;
  if (inst.users === 0 && current === inst && (inst.poisoned || inst.ex.memory.buffer.byteLength > maxRetainedMemory)) current = null;
}

/**
 * Runs one call into wasm. Shim errors (WasmThrow) unwound the wasm frames
 * like a longjmp: put the shadow stack back and rethrow. Anything else is a
 * trap: poison the instance.
 */
function call<R>(inst: Inst, fn: () => R): R {
  if (inst.poisoned) throw new AvifError('libavif: instance was lost after a WebAssembly trap');
  const sp = inst.ex.stackSave();
  try {
    return fn();
  } catch (e) {
    if (e instanceof WasmThrow) {
      inst.ex.stackRestore(sp);
      throw new AvifError(e.message);
    }
    inst.poisoned = true;
    if (current === inst) current = null;
    throw e;
  }
}

function readCString(heap: Uint8Array, ptr: number): string {
  let s = '';
  for (let i = ptr; i < heap.length && heap[i] !== 0 && s.length < 512; i++) s += String.fromCharCode(heap[i]!);
  return s;
}
