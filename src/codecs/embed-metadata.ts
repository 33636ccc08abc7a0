/**
 * Writes EXIF and an ICC profile into an encoded file, each format its own
 * way: JPEG APP1 and APP2 segments after the JFIF APP0; PNG eXIf and iCCP
 * chunks after IHDR; WebP EXIF and ICCP chunks in the extended (VP8X)
 * container. AVIF and GIF outputs are returned as they are.
 */
import { deflate } from 'pako';
import { concatBytes } from '../lib/bytes';
import { riffChunk, riffChunks, riffFile, vp8xChunk, VP8X_ALPHA } from './animation/riff';
import { pngChunk } from './png/encode-rows';
import type { OutputFormat } from '../spec/transform-spec';

export interface Embedded {
  /** A TIFF-structured EXIF block. */
  exif?: Uint8Array;
  icc?: Uint8Array;
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
/** A JPEG marker segment's payload is at most 65533 bytes. */
const MAX_SEGMENT = 65533;
const ICC_CHUNK = MAX_SEGMENT - 14;

function segment(marker: number, payload: Uint8Array[]): Uint8Array {
  const body = concatBytes(payload);
  return concatBytes([Uint8Array.of(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255), body]);
}

function intoJpeg(jpeg: Uint8Array, { exif, icc }: Embedded): Uint8Array {
  const segments: Uint8Array[] = [];
  if (exif && exif.length + 6 <= MAX_SEGMENT) segments.push(segment(0xe1, [ascii('Exif\0\0'), exif]));
  if (icc) {
    const count = Math.ceil(icc.length / ICC_CHUNK);
    for (let i = 0; i < count && count < 256; i++) {
      segments.push(segment(0xe2, [ascii('ICC_PROFILE\0'), Uint8Array.of(i + 1, count), icc.subarray(i * ICC_CHUNK, (i + 1) * ICC_CHUNK)]));
    }
  }
  if (segments.length === 0) return jpeg;
  const app0 = jpeg[2] === 0xff && jpeg[3] === 0xe0 ? 2 + ((jpeg[4]! << 8) | jpeg[5]!) : 0;
  const at = 2 + app0;
  return concatBytes([jpeg.subarray(0, at), ...segments, jpeg.subarray(at)]);
}

/** After the 8-byte signature and the 25-byte IHDR chunk. */
const AFTER_IHDR = 33;

function intoPng(png: Uint8Array, { exif, icc }: Embedded): Uint8Array {
  const chunks: Uint8Array[] = [];
  // iCCP: a name, a NUL, compression method 0, the zlib-compressed profile.
  if (icc) chunks.push(pngChunk('iCCP', concatBytes([ascii('icc\0\0'), deflate(icc)])));
  if (exif) chunks.push(pngChunk('eXIf', exif));
  return chunks.length === 0 ? png : concatBytes([png.subarray(0, AFTER_IHDR), ...chunks, png.subarray(AFTER_IHDR)]);
}

const VP8X_ICC = 0x20;
const VP8X_EXIF = 0x08;

function intoWebp(webp: Uint8Array, { exif, icc }: Embedded, size: { width: number; height: number }): Uint8Array {
  if (!exif && !icc) return webp;
  const chunks = [...riffChunks(webp)];
  const vp8x = chunks.find((chunk) => chunk.type === 'VP8X');
  const image = chunks.filter((chunk) => chunk.type !== 'VP8X');
  const lossless = image.find((chunk) => chunk.type === 'VP8L');
  const alpha = vp8x ? vp8x.payload[0]! & VP8X_ALPHA : image.some((chunk) => chunk.type === 'ALPH') || (lossless ? (lossless.payload[4]! >> 4) & 1 : 0);
  const flags = (alpha ? VP8X_ALPHA : 0) | (icc ? VP8X_ICC : 0) | (exif ? VP8X_EXIF : 0);
  // Order the container requires: VP8X, ICCP, the image, EXIF.
  return riffFile([
    vp8xChunk(flags, size.width, size.height),
    ...(icc ? [riffChunk('ICCP', icc)] : []),
    ...image.map((chunk) => chunk.bytes),
    ...(exif ? [riffChunk('EXIF', exif)] : []),
  ]);
}

export function embedMetadata(bytes: Uint8Array, format: OutputFormat, embedded: Embedded, size: { width: number; height: number }): Uint8Array {
  switch (format) {
    case 'jpeg':
      return intoJpeg(bytes, embedded);
    case 'png':
      return intoPng(bytes, embedded);
    case 'webp':
      return intoWebp(bytes, embedded, size);
    default:
      return bytes;
  }
}
