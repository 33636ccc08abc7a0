/** Walks JPEG markers up to the first scan: dimensions, progressive, EXIF orientation. */
import { concatBytes } from '../../lib/bytes';
import { exifPayload, isTiff, readExifOrientation } from './exif';
import { type HeaderFields, view } from './header-fields';

const SOS = 0xda;
const EOI = 0xd9;
const APP1 = 0xe1;
const APP2 = 0xe2;
const ICC_SIGNATURE = 'ICC_PROFILE\0';

/** The ICC chunks joined, or undefined when one is missing (a profile cut short is no profile). */
function joinChunks(chunks: Uint8Array[]): Uint8Array | undefined {
  if (chunks.length === 0 || chunks.some((chunk) => chunk === undefined) || chunks.length !== Object.keys(chunks).length) return undefined;
  return concatBytes(chunks);
}
// SOF markers C0–CF, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
const isStartOfFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
const PROGRESSIVE_SOF = new Set([0xc2, 0xc6, 0xca, 0xce]);
const isStandalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd8);

function samplingFactors(sof: Uint8Array): [number, number][] {
  const components = sof[5] ?? 0;
  const factors: [number, number][] = [];
  for (let c = 0; c < components && 6 + c * 3 + 1 < sof.length; c++) {
    const sampling = sof[6 + c * 3 + 1]!;
    factors.push([sampling >> 4 || 1, sampling & 15 || 1]);
  }
  return factors;
}

export function probeJpeg(bytes: Uint8Array): HeaderFields {
  const dv = view(bytes);
  const fields: HeaderFields = { orientation: 1, hasAlpha: false, progressive: false };
  const iccChunks: Uint8Array[] = [];
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) break;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (isStandalone(marker)) {
      at += 2;
      continue;
    }
    if (marker === SOS || marker === EOI) break;
    const length = dv.getUint16(at + 2);
    const body = bytes.subarray(at + 4, Math.min(at + 2 + length, bytes.length));
    // APP1 also carries XMP: the first TIFF-structured one is the EXIF block.
    const tiff = marker === APP1 && !fields.exif ? exifPayload(body) : undefined;
    if (tiff && isTiff(tiff)) {
      fields.exif = tiff;
      fields.orientation = readExifOrientation(tiff);
    }
    if (marker === APP2 && String.fromCharCode(...body.subarray(0, 12)) === ICC_SIGNATURE) {
      fields.hasIccProfile = true;
      // Then a chunk's sequence number (from 1) and the count; the profile is the chunks in order.
      iccChunks[body[12]! - 1] = body.subarray(14);
    }
    if (isStartOfFrame(marker) && body.length >= 6) {
      fields.height = view(body).getUint16(1);
      fields.width = view(body).getUint16(3);
      fields.progressive = PROGRESSIVE_SOF.has(marker);
      // C9–CF (DAC, CC, excluded above) are the arithmetic-coded frames.
      fields.arithmetic = marker >= 0xc9;
      fields.samplingFactors = samplingFactors(body);
    }
    at += 2 + length;
  }
  const profile = joinChunks(iccChunks);
  if (profile) fields.iccProfile = { bytes: profile, deflated: false };
  return fields;
}
