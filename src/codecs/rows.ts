/**
 * The contract every decoder, step and encoder shares: pictures flow top to
 * bottom as bands of packed 8-bit RGBA rows (straight alpha), so no stage
 * needs the whole picture unless its operation truly does.
 */
import { trackBuffer } from '../lib/memory-meter';
import { sharedWasm } from './shared-wasm';
import type { RgbaImage, Size } from './types';

/** Receives a picture of a size fixed when it was opened, one band of rows at a time, top to bottom. */
export interface RowSink<T> {
  /**
   * `band` holds `count` whole rows of `width * 4` bytes. It is lent for the
   * call only (the caller reuses it): copy whatever must outlive the call.
   * It may be a view of the codecs' WebAssembly memory, which any call into
   * a codec may grow, detaching the view: a sink that reads it again after
   * passing rows on (or after a wasm call) goes through `rereadable`.
   */
  write(band: Uint8Array, count: number): void;
  /** Every row was written; resolves to the sink's result (an encoder's file). */
  close(): Promise<T>;
  /** The picture will not be finished (a decoder failed): free what was allocated. Idempotent. */
  abort(): void;
  /**
   * Only on a sink opened with `rowsAgain` that reads the picture in passes
   * instead of holding it (libwebp's streamed encode): called instead of
   * close() once a pass has every row; true if it needs them all once more
   * (the runner then decodes the original again into it), false if close()
   * comes next.
   */
  endPass?(): boolean;
}

/** Called by a decoder once it knows the size it decodes at, before any row. */
export type OpenSink<T> = (size: Size) => RowSink<T>;

/** Options every encoder understands. */
export interface EncodeOptions {
  quality: number;
  /** False when every pixel is known to be opaque, so an alpha plane can be skipped. */
  hasAlpha: boolean;
  /** JPEG: progressive with optimised Huffman tables (needs the whole coefficient buffer) rather than streaming baseline. */
  progressive?: boolean;
  /**
   * The rows can come again (a still's pipeline decodes the original once
   * more): an encoder that needs the whole picture may ask for them in passes
   * (`RowSink.endPass`) rather than hold it.
   */
  rowsAgain?: boolean;
}

/**
 * Reads a lent band again after a call that may have grown the codecs'
 * memory (the progressive JPEG encoder stores coefficients as rows come):
 * a view of the old memory is then detached, but its rows are still there,
 * at the same offset of the grown one. Any other band is read as it is.
 */
export function rereadable(band: Uint8Array): (start: number, end: number) => Uint8Array {
  if (!sharedWasm.holds(band.buffer)) return (start, end) => band.subarray(start, end);
  const { byteOffset } = band;
  return (start, end) => sharedWasm.view(byteOffset + start, end - start);
}

/** Rows handed on at once when a stage replays a picture it holds. */
const REPLAY_ROWS = 64;

/** Writes a whole picture into a sink in bands, then closes it. */
export function replay<T>(image: RgbaImage, sink: RowSink<T>): Promise<T> {
  const rowBytes = image.width * 4;
  const bytes = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length);
  for (let y = 0; y < image.height; y += REPLAY_ROWS) {
    const count = Math.min(REPLAY_ROWS, image.height - y);
    sink.write(bytes.subarray(y * rowBytes, (y + count) * rowBytes), count);
  }
  return sink.close();
}

/** A sink that keeps every row: the whole picture, once closed. */
export function collect(size: Size): RowSink<RgbaImage> {
  const rowBytes = size.width * 4;
  let data: Uint8ClampedArray | undefined = trackBuffer(new Uint8ClampedArray(rowBytes * size.height));
  let y = 0;
  return {
    write(band, count) {
      data!.set(band.subarray(0, count * rowBytes), y * rowBytes);
      y += count;
    },
    async close() {
      if (y !== size.height) throw new Error(`the decoder gave ${y} of ${size.height} rows`);
      const image = { ...size, data: data! };
      data = undefined;
      return image;
    },
    abort() {
      data = undefined;
    },
  };
}
