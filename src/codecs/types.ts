/** What codecs exchange with the pipeline. */

import type { InputFormat } from '../lib/formats';
import type { Size } from '../lib/size';

export type { InputFormat };

export type { Size };

/** 8-bit RGBA, straight alpha, rows packed without padding. */
export interface RgbaImage extends Size {
  data: Uint8ClampedArray;
}

/** An ICC profile as the file stores it (PNG's zlib-compressed): see pipeline/colour-profile.ts. */
export interface StoredProfile {
  bytes: Uint8Array;
  deflated: boolean;
}

/** What a format's header says, read without decoding pixels. */
export interface ImageHeader {
  format: InputFormat;
  width: number;
  height: number;
  /** EXIF orientation 1–8; 1 when absent. */
  orientation: number;
  /** True when the header says transparency may be present. */
  hasAlpha: boolean;
  /** JPEG only: progressive files must buffer every coefficient while decoding. */
  progressive: boolean;
  /** JPEG only: each component's [horizontal, vertical] sampling factors ([[2,2],[1,1],[1,1]] for 4:2:0). */
  samplingFactors?: [number, number][];
  /** The TIFF-structured EXIF block, if any (JPEG, PNG and WebP; not read from AVIF). */
  exif?: Uint8Array;
  /** An embedded ICC colour profile is present. */
  hasIccProfile?: boolean;
  /** The embedded ICC profile as stored, when the header reached it. */
  iccProfile?: StoredProfile;
  /** JPEG: arithmetic coding (its progressive bands keep a nonzero mask besides the coefficients). */
  arithmetic?: boolean;
  /** PNG: Adam7 interlacing. */
  interlaced?: boolean;
  /** AVIF: the primary item is a grid of tiles, composed into a whole picture before any row goes out. */
  grid?: boolean;
  /** PNG: bits per sample; AVIF: the AV1 bit depth. */
  bitDepth?: number;
  /** PNG: samples per pixel as stored. */
  channels?: number;
  /** AVIF: chroma subsampling of the colour image. */
  chroma?: '420' | '422' | '444';
  /** WebP: VP8L (lossless), which decodes only as a whole ARGB image. */
  lossless?: boolean;
  /** WebP: the VP8X chunk says the file is an animation (a GIF's frames are counted only when it is read whole). */
  animated?: boolean;
}

/** The smallest size, in the file's own (unrotated) pixels, a decoder may return. */
export interface DecodeHint {
  minWidth: number;
  minHeight: number;
}
