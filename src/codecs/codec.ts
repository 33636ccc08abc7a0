import type { DecodeHint, ImageHeader, RgbaImage, Size } from './types';

/**
 * One format's decoder and encoder, and what they cost: the pipeline checks
 * the memory a transform will need against its budget before decoding.
 */
export interface Codec {
  /** May honour the hint by decoding smaller (JPEG shrink-on-load); never smaller than it. */
  decode(bytes: Uint8Array, hint: DecodeHint): Promise<RgbaImage>;
  /** The size `decode` returns for this hint, known from the header alone. */
  decodedSize(header: ImageHeader, hint: DecodeHint): Size;
  /** Peak bytes while decoding, besides the input: the decoder's buffers and the returned RGBA. */
  decodeMemory(header: ImageHeader, decoded: Size): number;
  encode(image: RgbaImage, quality: number): Promise<ArrayBuffer>;
  /** Encoder working memory per output pixel, besides the RGBA it is given. */
  encodeBytesPerPixel: number;
  defaultQuality: number;
}

/** Decoders without shrink-on-load return the full image whatever the hint. */
export const fullSize = (header: ImageHeader): Size => ({ width: header.width, height: header.height });
