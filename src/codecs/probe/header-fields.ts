/** What one format's header parser found; fields it could not reach stay undefined. */
export interface HeaderFields {
  width?: number;
  height?: number;
  orientation: number;
  /** Undefined when the bytes ended before the answer. */
  hasAlpha?: boolean;
  progressive: boolean;
  /** JPEG: each component's horizontal and vertical sampling factors, as the frame header gives them. */
  samplingFactors?: [number, number][];
  /** The TIFF-structured EXIF block (from the byte-order mark on), when the format carries one we read. */
  exif?: Uint8Array;
  /** An embedded ICC colour profile is present. */
  hasIccProfile?: boolean;
  /** Its bytes as stored (PNG's still zlib-compressed): see pipeline/colour-profile.ts. */
  iccProfile?: StoredProfile;
  /** JPEG: arithmetic coding (its progressive bands keep a nonzero mask besides the coefficients). */
  arithmetic?: boolean;
  /** PNG: Adam7 interlacing (no row exists before the last pass). */
  interlaced?: boolean;
  /** PNG: bits per sample; AVIF: the AV1 bit depth. */
  bitDepth?: number;
  /** PNG: samples per pixel as stored (a palette index is one). */
  channels?: number;
  /** AVIF: chroma subsampling of the colour image (4:2:0, 4:2:2 or 4:4:4). */
  chroma?: '420' | '422' | '444';
  /** WebP: the picture is VP8L, which decodes only as a whole ARGB image. */
  lossless?: boolean;
  /** WebP: the VP8X chunk's animation flag. */
  animated?: boolean;
}

export interface StoredProfile {
  bytes: Uint8Array;
  deflated: boolean;
}

export const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const fourCC = (bytes: Uint8Array, at: number) =>
  String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
