/**
 * The contract every decoder, step and encoder shares: pictures flow top to
 * bottom as bands of packed 8-bit RGBA rows (straight alpha), so no stage
 * needs the whole picture unless its operation truly does.
 */
import type { Size } from './types';

/** Receives a picture of a size fixed when it was opened, one band of rows at a time, top to bottom. */
export interface RowSink<T> {
  /**
   * `band` holds `count` whole rows of `width * 4` bytes. It is lent for the
   * call only (the caller reuses it): copy whatever must outlive the call.
   */
  write(band: Uint8Array, count: number): void;
  /** Every row was written; resolves to the sink's result (an encoder's file). */
  close(): Promise<T>;
  /** The picture will not be finished (a decoder failed): free what was allocated. Idempotent. */
  abort(): void;
}

/** Called by a decoder once it knows the size it decodes at, before any row. */
export type OpenSink<T> = (size: Size) => RowSink<T>;

/** Options every encoder understands. */
export interface EncodeOptions {
  quality: number;
  /** False when every pixel is known to be opaque, so an alpha plane can be skipped. */
  hasAlpha: boolean;
}
