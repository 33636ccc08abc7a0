import { collect, type EncodeOptions, type OpenSink, type RowSink } from './rows';
import type { DecodeHint, ImageHeader, RgbaImage, Size } from './types';

/** The encoded original: whole, or a stream for decoders that consume it as it arrives. */
export type EncodedInput = Uint8Array | ReadableStream<Uint8Array>;

/** The whole input, for decoders that need every byte at once. */
export const wholeBytes = async (input: EncodedInput): Promise<Uint8Array> =>
  input instanceof Uint8Array ? input : new Uint8Array(await new Response(input).arrayBuffer());

/**
 * One format's decoder (a row source) and encoder (a row sink), and what
 * they cost: the pipeline checks the memory a transform will need against
 * its budget before decoding.
 */
export interface Codec {
  /**
   * Decodes, calls `open` with the size decoded, writes every row into the
   * sink it returns and resolves to that sink's result. May honour the hint
   * by decoding smaller (shrink-on-load); never smaller than it. `header` is
   * what the planner already read from the same input.
   */
  decodeRows<T>(input: EncodedInput, header: ImageHeader, hint: DecodeHint, open: OpenSink<T>): Promise<T>;
  /** The decoder reads its input as a stream, so the original is never held whole. */
  streamsInput?: boolean;
  /** The size `decodeRows` opens with for this hint, known from the header alone. */
  decodedSize(header: ImageHeader, hint: DecodeHint): Size;
  /** Peak bytes while decoding besides the input and the bands it hands out. */
  decodeMemory(header: ImageHeader, decoded: Size): number;
  openEncoder(size: Size, options: EncodeOptions): RowSink<Uint8Array>;
  /** Peak bytes while encoding a picture of `size`, the output file included. */
  encodeMemory(size: Size, options: EncodeOptions): number;
  /** The encoder has a WASM module of its own: its memory comes on top of the shared codec heap, not out of it. */
  ownHeap?: boolean;
  defaultQuality: number;
}

/**
 * A box filter aliases when it does all the shrinking: decoders that shrink
 * on load with one (WebP, AVIF) and the pipeline's box pre-shrink stop this
 * many times above the target and leave the rest to Lanczos3.
 */
export const BOX_SHRINK_HEADROOM = 2;

/** The hint a box-shrinking decoder honours: room left for Lanczos, never past the picture itself. */
export const boxShrinkHint = (header: Size, hint: DecodeHint): DecodeHint => ({
  minWidth: Math.min(header.width, hint.minWidth * BOX_SHRINK_HEADROOM),
  minHeight: Math.min(header.height, hint.minHeight * BOX_SHRINK_HEADROOM),
});

/**
 * The whole factor (1, 2, 3, …) a box-shrinking decoder divides by, and the
 * size that gives: the largest factor whose result (ceil division) is still
 * at least the hint. Pure, from the size alone.
 */
export function boxShrinkOnLoad(size: Size, hint: DecodeHint): { factor: number; size: Size } {
  // ceil(n / f) >= min  <=>  f < n / (min - 1)
  const axis = (n: number, min: number) => (min <= 1 ? n : min > n ? 1 : Math.ceil(n / (min - 1)) - 1);
  const limit = Math.max(1, size.width, size.height);
  const factor = Math.max(1, Math.min(axis(size.width, Math.ceil(hint.minWidth)), axis(size.height, Math.ceil(hint.minHeight)), limit));
  return { factor, size: boxShrunk(size, factor) };
}

/** The size a box shrink by `factor` gives: partial boxes at the right and bottom edges count. */
export const boxShrunk = (size: Size, factor: number): Size => ({
  width: Math.ceil(size.width / factor),
  height: Math.ceil(size.height / factor),
});

/** Decoders without shrink-on-load open at full size whatever the hint. */
export const fullSize = (header: ImageHeader): Size => ({ width: header.width, height: header.height });

/** A row sink over an encoder that needs the whole picture: it collects the rows, then encodes. */
export const wholePictureEncoder =
  (encode: (image: RgbaImage, options: EncodeOptions) => Promise<Uint8Array>) =>
  (size: Size, options: EncodeOptions): RowSink<Uint8Array> => {
    const picture = collect(size);
    return {
      write: (band, count) => picture.write(band, count),
      close: async () => encode(await picture.close(), options),
      abort: () => picture.abort(),
    };
  };
