/**
 * Everything the API reports about an original, computed once from its bytes
 * at upload (validating it on the way: 415, 422, 413) and kept in the R2
 * object's custom metadata, so reading it later costs one HEAD.
 */
import { MIME_TYPES } from '../lib/formats';
import { probe } from '../codecs/probe';
import type { InputFormat } from '../codecs/types';
import type { Config } from '../config';
import { unsupportedMediaType } from '../errors';
import { orientSize } from '../pipeline/orientation';
import { assertOriginalBytes } from '../pipeline/limits';
import { sha256Hex } from '../lib/sha256';
import { readExifSummary, type ExifSummary } from './exif';
import { makePlaceholder, type Placeholder } from './placeholder';

export interface ImageFacts {
  sha256: string;
  bytes: number;
  /** Upright size, after EXIF orientation: the size every `/img/` variant starts from. */
  width: number;
  height: number;
  format: InputFormat;
  hasAlpha: boolean;
  orientation: number;
  hasIccProfile: boolean;
  placeholder: Placeholder;
  exif: ExifSummary;
}

/** Checks the sniffed format before any pixel work, e.g. against an upload token's allowed types. */
export type FormatCheck = (format: InputFormat) => void;

export async function describeImage(bytes: Uint8Array, config: Config, checkFormat?: FormatCheck): Promise<ImageFacts> {
  if (bytes.length === 0) throw unsupportedMediaType('The file is empty.');
  assertOriginalBytes(bytes.length, config);
  const header = probe(bytes);
  checkFormat?.(header.format);
  const [placeholder, sha256] = await Promise.all([makePlaceholder(bytes, header, config), sha256Hex(bytes)]);
  const upright = orientSize(header, header.orientation);
  return {
    sha256,
    bytes: bytes.length,
    width: upright.width,
    height: upright.height,
    format: header.format,
    hasAlpha: header.hasAlpha,
    orientation: header.orientation,
    hasIccProfile: header.hasIccProfile ?? false,
    placeholder,
    exif: readExifSummary(header.exif),
  };
}

export const contentTypeOf = (facts: Pick<ImageFacts, 'format'>) => MIME_TYPES[facts.format];
