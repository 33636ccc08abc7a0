/** Reads PNG chunks up to the first IDAT: IHDR, tRNS and eXIf. */
import { readExifOrientation } from './exif';
import { fourCC, type HeaderFields, view } from './header-fields';

const COLOR_TYPES_WITH_ALPHA = new Set([4, 6]);
/** Samples per pixel by colour type: grey, RGB, palette, grey+alpha, RGBA. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function probePng(bytes: Uint8Array): HeaderFields {
  const dv = view(bytes);
  const fields: HeaderFields = { orientation: 1, progressive: false };
  let alphaChannel = false;
  let at = 8;
  while (at + 8 <= bytes.length) {
    const length = dv.getUint32(at);
    const type = fourCC(bytes, at + 4);
    const data = bytes.subarray(at + 8, Math.min(at + 8 + length, bytes.length));
    if (type === 'IHDR' && data.length >= 13) {
      fields.width = view(data).getUint32(0);
      fields.height = view(data).getUint32(4);
      alphaChannel = COLOR_TYPES_WITH_ALPHA.has(data[9]!);
      fields.bitDepth = data[8]!;
      fields.channels = CHANNELS[data[9]!] ?? 4;
      fields.interlaced = data[12] === 1;
    } else if (type === 'tRNS') {
      alphaChannel = true;
    } else if (type === 'eXIf') {
      fields.exif = data;
      fields.orientation = readExifOrientation(data);
    } else if (type === 'iCCP') {
      fields.hasIccProfile = true;
      // A name of 1–79 bytes, a NUL, the compression method (0: zlib), then the profile.
      const nul = data.indexOf(0);
      if (nul > 0 && data[nul + 1] === 0) fields.iccProfile = { bytes: data.subarray(nul + 2), deflated: true };
    } else if (type === 'IDAT' || type === 'IEND') {
      fields.hasAlpha = alphaChannel;
      return fields;
    }
    at += 12 + length;
  }
  // Ended before IDAT: a later tRNS may still add transparency.
  fields.hasAlpha = alphaChannel ? true : undefined;
  return fields;
}
