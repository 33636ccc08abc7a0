/** Codec registry by format. */
import type { OutputFormat } from '../spec/transform-spec';
import { avif } from './avif';
import type { Codec } from './codec';
import { jpeg } from './jpeg';
import { pngCodec } from './png';
import type { InputFormat } from './types';
import { webp } from './webp';

export const CODECS: Record<InputFormat & OutputFormat, Codec> = { jpeg, png: pngCodec, webp, avif };

export const MIME_TYPES: Record<OutputFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
};

export const FILE_EXTENSIONS: Record<OutputFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif' };
