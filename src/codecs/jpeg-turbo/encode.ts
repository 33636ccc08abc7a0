/**
 * JPEG encoder from RGBA rows, in the same libjpeg-turbo wasm instance as
 * the decoder (C side: wasm/jpeg-turbo/encoder.c). 4:2:0 YCbCr, ISLOW DCT,
 * libjpeg's standard quantisation tables scaled by `jpeg_set_quality`.
 * Alpha is ignored (libjpeg skips the 4th byte): flatten before if it matters.
 *
 * Two modes:
 *  - progressive: `jpeg_simple_progression` + optimal Huffman tables. libjpeg
 *    needs every DCT coefficient until `close()` and writes the whole file
 *    then; encoder.c keeps them packed (~0.4 bytes a pixel for a photo at
 *    q85, at most libjpeg's own ~3);
 *  - baseline: standard Huffman tables, truly streaming: a few MCU rows of
 *    libjpeg buffers, and the compressed bytes are moved out of the wasm
 *    heap after every `write`, so the heap holds one strip's worth of them.
 *
 * Usage:
 *   const sink = openJpegEncoder({ width, height }, { quality: 85, hasAlpha: false, progressive: true });
 *   sink.write(rows, count); // ... top to bottom, every row
 *   const jpeg = await sink.close();
 */
import { concatBytes } from '../../lib/bytes';
import type { EncodeOptions, RowSink } from '../rows';
import type { Size } from '../types';
import { acquire, cleanup, guarded, JpegError, release } from './instance';
import { CodecOutOfMemory } from '../failures';

/** libjpeg's largest dimension (JPEG_MAX_DIMENSION). */
const MAX_DIMENSION = 65500;
/** Rows copied into the wasm heap per je_write_rows call: one iMCU row at 4:2:0. */
const STRIP_ROWS = 16;

/**
 * Compressed bytes budgeted per pixel for a progressive file: every photo
 * fixture at quality 95 stays under it (0.29 at most; 0.07–0.2 at 85).
 * Noise reaches 0.7 at 85, 1.0 at 95.
 */
const OUTPUT_BYTES_PER_PIXEL = 0.3;
/** encoder.c's output blocks: the first one, and the largest. */
const FIRST_BLOCK = 64 * 1024;
const MAX_BLOCK = 1024 * 1024;
/** libjpeg's per-column buffers (main controller: 16 luma + 2×8 chroma rows; prep: 2 rows × 3 components). */
const LIBJPEG_BYTES_PER_COLUMN = 32;
/** The packed coefficient store's windows and scratch rows: 3 luma block rows and 2 of each chroma component. */
const STORE_BYTES_PER_COLUMN = 80;
/** The store's index and allocation header, 16 bytes a block row: 1 luma and 2 × ½ chroma block rows per 8 pixel rows. */
const STORE_BYTES_PER_ROW = 4;
/** libjpeg's tables, pools and the context itself. */
const LIBJPEG_FIXED = 64 * 1024;

// Layout of the Int32 info block (encoder.c).
const E_OUT_PTR = 0;
const E_OUT_LEN = 1;
const E_ROWS = 2;
const E_INFO_COUNT = 5;

/** RGBA rows in, JPEG out. close() resolves to the file; abort() frees the context. */
export function openJpegEncoder(size: Size, options: EncodeOptions & { progressive: boolean }): RowSink<Uint8Array> {
  const { width, height } = size;
  for (const [name, value] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_DIMENSION) {
      throw new RangeError(`Expected an integer between 1 and ${MAX_DIMENSION} for ${name} but received ${value}`);
    }
  }
  if (!Number.isFinite(options.quality) || options.quality < 1 || options.quality > 100) {
    throw new RangeError(`Expected a number between 1 and 100 for quality but received ${options.quality}`);
  }
  const quality = Math.round(options.quality);
  const rowBytes = width * 4;

  const inst = acquire();
  const ex = inst.ex;
  let ctx = 0;
  let strip = 0;
  let released = false;
  /** Compressed bytes already moved out of the heap. */
  const chunks: Uint8Array[] = [];
  let rowsWritten = 0;
  let closed = false;

  const free = (): void => {
    if (released) return;
    released = true;
    cleanup(inst, () => {
      if (strip !== 0) ex.jt_free(strip);
      if (ctx !== 0) ex.je_destroy(ctx);
    });
    release(inst);
  };
  const info = (): Int32Array => new Int32Array(ex.memory.buffer, ex.je_info(ctx) >>> 0, E_INFO_COUNT);
  /** Moves the pending output blocks out of the heap (fresh views: any call may have grown memory). */
  const takeOutput = (): void => {
    for (let a = info(); a[E_OUT_LEN]! > 0; a = info()) {
      chunks.push(new Uint8Array(ex.memory.buffer, a[E_OUT_PTR]! >>> 0, a[E_OUT_LEN]!).slice());
      ex.je_drain(ctx);
    }
  };
  /** Runs `fn` in wasm; on any failure the context is gone (libjpeg cannot resume after an error). */
  const run = <T>(fn: () => T): T => {
    if (released) throw new JpegError('jpeg-turbo: the encoder was closed or aborted');
    try {
      return guarded(inst, fn);
    } catch (e) {
      free();
      throw e;
    }
  };

  run(() => {
    ctx = ex.je_new(width, height, quality, options.progressive ? 1 : 0) >>> 0;
    if (ctx === 0) throw new CodecOutOfMemory('jpeg-turbo: out of memory for an encoder');
    strip = ex.jt_malloc(STRIP_ROWS * rowBytes) >>> 0;
    if (strip === 0) throw new CodecOutOfMemory(`jpeg-turbo: out of memory for a ${width}x${STRIP_ROWS} strip`);
    ex.je_start(ctx);
  });

  return {
    write(band: Uint8Array, count: number): void {
      if (!Number.isInteger(count) || count < 0 || band.length < count * rowBytes) {
        throw new RangeError(`Expected ${count} rows of ${rowBytes} bytes but received ${band.length} bytes`);
      }
      if (rowsWritten + count > height) {
        throw new RangeError(`Expected at most ${height - rowsWritten} more rows but received ${count}`);
      }
      run(() => {
        if (band.buffer === ex.memory.buffer) {
          // Rows lent from our own heap (a decoder or resampler of this instance): no copy. By offset, since
          // storing coefficients may grow the memory, which detaches the band's view.
          if (ex.je_write_rows(ctx, band.byteOffset, count) !== count) throw new JpegError('jpeg-turbo: encoder refused rows');
        } else {
          for (let done = 0; done < count; ) {
            const n = Math.min(STRIP_ROWS, count - done);
            new Uint8Array(ex.memory.buffer, strip, n * rowBytes).set(band.subarray(done * rowBytes, (done + n) * rowBytes));
            if (ex.je_write_rows(ctx, strip, n) !== n) throw new JpegError('jpeg-turbo: encoder refused rows');
            done += n;
          }
        }
        takeOutput();
      });
      rowsWritten += count;
    },

    async close(): Promise<Uint8Array> {
      if (closed) throw new JpegError('jpeg-turbo: the encoder was already closed');
      closed = true;
      if (rowsWritten < height) {
        free();
        throw new JpegError(`jpeg-turbo: only ${rowsWritten} of ${height} rows were written`);
      }
      run(() => {
        ex.je_finish(ctx);
        if (info()[E_ROWS] !== height) throw new JpegError('jpeg-turbo: encoder row count mismatch');
        takeOutput();
      });
      free();
      return concatBytes(chunks);
    },

    abort(): void {
      free();
    },
  };
}

/**
 * WASM bytes an encode needs: the coefficient buffer when progressive, a few
 * MCU rows otherwise, plus the output. Not counted: the instance's own
 * initial 2 MiB (stack, tables; shared by all codecs), which a baseline
 * encode usually fits in.
 *
 * Progressive: at most 64 coefficients × 2 bytes per 8×8 block of each
 * component (luma in whole 16×16 MCUs, chroma at half size each way: ~3
 * bytes per pixel) — the bound of encoder.c's packed store, which keeps a
 * photo's coefficients in under a byte a pixel but a block row of noise as
 * it is — and the store's windows and row index, plus the whole file,
 * which sits in the heap from `close()` until it is copied out (budgeted
 * at OUTPUT_BYTES_PER_PIXEL, plus one partly filled output block).
 * Baseline: the 16-row RGBA input strip, libjpeg's row buffers and the
 * compressed bytes of one strip, drained after every write.
 */
export function jpegEncodeMemory(size: Size, progressive: boolean): number {
  const { width, height } = size;
  const strips = STRIP_ROWS * width * 4 + LIBJPEG_BYTES_PER_COLUMN * Math.ceil(width / 16) * 16 + LIBJPEG_FIXED;
  if (!progressive) return strips + 2 * Math.max(FIRST_BLOCK, STRIP_ROWS * width);
  const mcus = Math.ceil(width / 16) * Math.ceil(height / 16);
  const store = STORE_BYTES_PER_COLUMN * Math.ceil(width / 16) * 16 + STORE_BYTES_PER_ROW * Math.ceil(height / 16) * 16;
  // 4 luma blocks + 2 chroma blocks per MCU, 128 bytes each.
  return mcus * 6 * 128 + store + strips + Math.ceil(width * height * OUTPUT_BYTES_PER_PIXEL) + MAX_BLOCK;
}

