/** Reads an image's header without decoding pixels. */
import { corruptImage, unsupportedMediaType } from '../../errors';
import { sniff } from '../sniff';
import type { ImageHeader, InputFormat } from '../types';
import { probeAvif } from './avif';
import { probeGif } from './gif';
import type { HeaderFields } from './header-fields';
import { probeJpeg } from './jpeg';
import { probePng } from './png';
import { probeWebp } from './webp';

const PROBES: Record<InputFormat, (bytes: Uint8Array) => HeaderFields> = {
  jpeg: probeJpeg,
  png: probePng,
  webp: probeWebp,
  avif: probeAvif,
  gif: probeGif,
};

/** Sniffs the format or throws 415. */
function detectFormat(bytes: Uint8Array): InputFormat {
  const result = sniff(bytes);
  if (!result.supported) {
    throw unsupportedMediaType(`The original is ${result.description}; supported inputs are JPEG, PNG, WebP, AVIF and GIF.`);
  }
  return result.format;
}

/** The format's fields, or undefined where a structure claims more bytes than there are. */
function readFields(format: InputFormat, bytes: Uint8Array): HeaderFields | undefined {
  try {
    return PROBES[format](bytes);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** Header fields from a prefix of the file; what the prefix does not reach (or cut short) stays undefined. */
export function probePrefix(bytes: Uint8Array): HeaderFields & { format: InputFormat } {
  const format = detectFormat(bytes);
  return { format, ...(readFields(format, bytes) ?? { orientation: 1, progressive: false }) };
}

/** The complete header of a whole file; one that overruns itself, or has no dimensions, means the file is corrupt. */
export function probe(bytes: Uint8Array): ImageHeader {
  const format = detectFormat(bytes);
  const fields = readFields(format, bytes);
  if (!fields) throw corruptImage(`The ${format.toUpperCase()} header is malformed: a structure in it runs past its end.`);
  const { width, height, hasAlpha, ...rest } = fields;
  if (!width || !height) throw corruptImage(`The ${format.toUpperCase()} header has no valid dimensions.`);
  return { ...rest, format, width, height, hasAlpha: hasAlpha ?? true };
}
