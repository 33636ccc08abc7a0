/** Codec registry by format, and whole-picture helpers over the row codecs. */
import type { OutputFormat } from '../spec/transform-spec';
import { avif } from './avif';
import { gif } from './gif';
import type { Codec } from './codec';
import { jpeg } from './jpeg';
import { pngCodec } from './png';
import { probe } from './probe';
import { collect, replay, type EncodeOptions } from './rows';
import type { DecodeHint, InputFormat, RgbaImage } from './types';
import { webp } from './webp';

export const CODECS: Record<InputFormat & OutputFormat, Codec> = { jpeg, png: pngCodec, webp, avif, gif };

/** The whole decoded picture, at full size unless a hint lets the decoder shrink (tests; the pipeline streams instead). */
export function decodeImage(format: InputFormat, bytes: Uint8Array, hint?: DecodeHint): Promise<RgbaImage> {
  const header = probe(bytes);
  return CODECS[format].decodeRows(bytes, header, hint ?? { minWidth: header.width, minHeight: header.height }, collect);
}

/** Encodes a whole picture, by default at the format's default quality, keeping alpha. */
export const encodeImage = (format: OutputFormat, image: RgbaImage, options: Partial<EncodeOptions> = {}) =>
  replay(image, CODECS[format].openEncoder(image, { quality: CODECS[format].defaultQuality, hasAlpha: true, ...options }));
