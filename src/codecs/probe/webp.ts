/** Reads WebP's RIFF chunks: VP8, VP8L or VP8X for size and alpha, EXIF for orientation. */
import { exifPayload, readExifOrientation } from './exif';
import { fourCC, type HeaderFields, view } from './header-fields';

const VP8X_ALPHA = 0x10;
const VP8X_ANIMATION = 0x02;
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);

export function probeWebp(bytes: Uint8Array): HeaderFields {
  const dv = view(bytes);
  const fields: HeaderFields = { orientation: 1, progressive: false };
  let at = 12;
  while (at + 8 <= bytes.length) {
    const type = fourCC(bytes, at);
    const length = dv.getUint32(at + 4, true);
    const data = bytes.subarray(at + 8, Math.min(at + 8 + length, bytes.length));
    if (type === 'VP8 ' || type === 'VP8L') fields.lossless = type === 'VP8L';
    if (type === 'VP8X' && data.length >= 10) {
      fields.hasAlpha = (data[0]! & VP8X_ALPHA) !== 0;
      fields.animated = (data[0]! & VP8X_ANIMATION) !== 0;
      fields.width = u24le(data, 4) + 1;
      fields.height = u24le(data, 7) + 1;
    } else if (type === 'VP8 ' && data.length >= 10 && fields.width === undefined) {
      fields.width = view(data).getUint16(6, true) & 0x3fff;
      fields.height = view(data).getUint16(8, true) & 0x3fff;
      fields.hasAlpha = false;
    } else if (type === 'VP8L' && data.length >= 5 && fields.width === undefined) {
      const bits = view(data).getUint32(1, true);
      fields.width = (bits & 0x3fff) + 1;
      fields.height = ((bits >>> 14) & 0x3fff) + 1;
      fields.hasAlpha = ((bits >>> 28) & 1) === 1;
    } else if (type === 'ALPH') {
      // The decoder uses an alpha chunk whatever VP8X's flag says.
      fields.hasAlpha = true;
    } else if (type === 'EXIF') {
      fields.exif = exifPayload(data);
      fields.orientation = readExifOrientation(fields.exif);
    } else if (type === 'ICCP') {
      fields.hasIccProfile = true;
      fields.iccProfile = { bytes: data, deflated: false };
    }
    at += 8 + length + (length & 1); // chunks are padded to even length
  }
  return fields;
}
