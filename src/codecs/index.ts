/** Codec registry by format, and whole-picture helpers over the row codecs. */
import type { OutputFormat } from '../spec/transform-spec';
import { avif } from './avif';
import type { Codec } from './codec';
import { jpeg } from './jpeg';
import { pngCodec } from './png';
import { collect, replay } from './rows';
import type { DecodeHint, InputFormat, RgbaImage } from './types';
import { webp } from './webp';

export const CODECS: Record<InputFormat & OutputFormat, Codec> = { jpeg, png: pngCodec, webp, avif };

export const MIME_TYPES: Record<OutputFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
};

export const FILE_EXTENSIONS: Record<OutputFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif' };

/** The whole decoded picture (tests and small images; the pipeline streams instead). */
export const decodeImage = (format: InputFormat, bytes: Uint8Array, hint: DecodeHint = { minWidth: 0, minHeight: 0 }) =>
  CODECS[format].decodeRows(bytes, hint, collect);

/** Encodes a whole picture at the format's default quality unless given one. */
export const encodeImage = (format: OutputFormat, image: RgbaImage, quality = CODECS[format].defaultQuality, hasAlpha = true) =>
  replay(image, CODECS[format].openEncoder(image, { quality, hasAlpha }));
