import type { DecodeHint, RgbaImage } from './types';

/** One format's decoder and encoder; a decoder may honour the hint by decoding smaller. */
export interface Codec {
  decode(bytes: Uint8Array, hint: DecodeHint): Promise<RgbaImage>;
  encode(image: RgbaImage, quality: number): Promise<ArrayBuffer>;
  defaultQuality: number;
}
