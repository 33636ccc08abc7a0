/** Reads the Orientation tag (0x0112) from a TIFF-structured Exif block. */
import { view } from './header-fields';

const ORIENTATION_TAG = 0x0112;

/** `tiff` starts at the byte-order mark ("II" or "MM"); returns 1 when absent or invalid. */
export function readExifOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  const dv = view(tiff);
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 1;
  if (dv.getUint16(2, little) !== 42) return 1;
  const ifd = dv.getUint32(4, little);
  if (ifd + 2 > tiff.length) return 1;
  const count = dv.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (dv.getUint16(entry, little) === ORIENTATION_TAG) {
      const value = dv.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/** True when `tiff` starts with a TIFF header ("II*\0" or "MM\0*"). */
export function isTiff(tiff: Uint8Array): boolean {
  if (tiff.length < 8) return false;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49 && tiff[2] === 42 && tiff[3] === 0;
  return little || (tiff[0] === 0x4d && tiff[1] === 0x4d && tiff[2] === 0 && tiff[3] === 42);
}

/** Strips an optional "Exif\0\0" prefix, as JPEG APP1 and some WebP/PNG writers add. */
export function exifPayload(block: Uint8Array): Uint8Array {
  const hasPrefix = block[0] === 0x45 && block[1] === 0x78 && block[2] === 0x69 && block[3] === 0x66;
  return hasPrefix ? block.subarray(6) : block;
}
