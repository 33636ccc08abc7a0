/** Reads an image's header without decoding pixels. */
import { corruptImage, unsupportedMediaType } from '../../errors';
import { sniff } from '../sniff';
import type { ImageHeader, InputFormat } from '../types';
import { probeAvif } from './avif';
import type { HeaderFields } from './header-fields';
import { probeJpeg } from './jpeg';
import { probePng } from './png';
import { probeWebp } from './webp';

const PROBES: Record<InputFormat, (bytes: Uint8Array) => HeaderFields> = {
  jpeg: probeJpeg,
  png: probePng,
  webp: probeWebp,
  avif: probeAvif,
};

/** Sniffs the format or throws 415. */
function detectFormat(bytes: Uint8Array): InputFormat {
  const result = sniff(bytes);
  if (!result.supported) {
    throw unsupportedMediaType(`The original is ${result.description}; supported inputs are JPEG, PNG, WebP and AVIF.`);
  }
  return result.format;
}

/** Header fields from a prefix of the file; what the prefix does not reach stays undefined. */
export function probePrefix(bytes: Uint8Array): HeaderFields & { format: InputFormat } {
  const format = detectFormat(bytes);
  return { format, ...PROBES[format](bytes) };
}

/** The complete header of a whole file; a header without dimensions means the file is corrupt. */
export function probe(bytes: Uint8Array): ImageHeader {
  const { width, height, hasAlpha, ...rest } = probePrefix(bytes);
  if (!width || !height) throw corruptImage(`The ${rest.format.toUpperCase()} header has no valid dimensions.`);
  return { ...rest, width, height, hasAlpha: hasAlpha ?? true };
}
