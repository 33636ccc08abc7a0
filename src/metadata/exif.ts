/**
 * The EXIF subset the metadata API reports: camera make and model, when the
 * picture was taken, and GPS position. Reads IFD0, the Exif sub-IFD and the
 * GPS sub-IFD of a TIFF-structured block; anything malformed is skipped.
 */
import { isTiff } from '../codecs/probe/exif';

export interface ExifSummary {
  camera?: { make?: string; model?: string };
  /** ISO 8601 local time as the camera wrote it, with its offset when EXIF gives one. */
  takenAt?: string;
  gps?: { latitude: number; longitude: number };
}

const TAG = {
  make: 0x010f,
  model: 0x0110,
  dateTime: 0x0132,
  exifIfd: 0x8769,
  gpsIfd: 0x8825,
  dateTimeOriginal: 0x9003,
  offsetTimeOriginal: 0x9011,
  latitudeRef: 1,
  latitude: 2,
  longitudeRef: 3,
  longitude: 4,
} as const;

const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };
/** Longer strings are cut: they end up in R2 custom metadata, which is small. */
const MAX_TEXT = 64;

interface Entry {
  type: number;
  count: number;
  /** Offset of the value in the block: inline in the entry when it fits in 4 bytes. */
  at: number;
}

class TiffReader {
  private readonly dv: DataView;
  readonly little: boolean;

  constructor(private readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.little = bytes[0] === 0x49;
  }

  u16 = (at: number) => this.dv.getUint16(at, this.little);
  u32 = (at: number) => this.dv.getUint32(at, this.little);

  ifd(offset: number): Map<number, Entry> {
    const entries = new Map<number, Entry>();
    if (offset + 2 > this.bytes.length) return entries;
    const count = this.u16(offset);
    for (let i = 0; i < count; i++) {
      const entry = offset + 2 + i * 12;
      if (entry + 12 > this.bytes.length) break;
      const type = this.u16(entry + 2);
      const valueCount = this.u32(entry + 4);
      const size = (TYPE_SIZES[type] ?? 0) * valueCount;
      const at = size <= 4 ? entry + 8 : this.u32(entry + 8);
      if (size === 0 || at + size > this.bytes.length) continue;
      entries.set(this.u16(entry), { type, count: valueCount, at });
    }
    return entries;
  }

  text(entry: Entry | undefined): string | undefined {
    if (entry?.type !== 2) return undefined;
    // EXIF ASCII is 7-bit in theory and Latin-1 in practice; one char per byte reads both.
    const raw = String.fromCharCode(...this.bytes.subarray(entry.at, entry.at + entry.count));
    const text = raw.replace(/\0.*$/s, '').trim();
    return text ? text.slice(0, MAX_TEXT) : undefined;
  }

  rationals(entry: Entry | undefined): number[] | undefined {
    if (entry?.type !== 5) return undefined;
    const values: number[] = [];
    for (let i = 0; i < entry.count; i++) {
      const denominator = this.u32(entry.at + i * 8 + 4);
      values.push(denominator === 0 ? NaN : this.u32(entry.at + i * 8) / denominator);
    }
    return values;
  }

  pointer(entry: Entry | undefined): number | undefined {
    return entry?.type === 4 || entry?.type === 13 ? this.u32(entry.at) : undefined;
  }
}

/** "2004:03:20 14:54:55" → "2004-03-20T14:54:55" (+ "+01:00" when the offset is known). */
function isoDateTime(exifDate: string | undefined, offset: string | undefined): string | undefined {
  const match = exifDate && /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(exifDate);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  const zone = offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : '';
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`;
}

function coordinate(tiff: TiffReader, gps: Map<number, Entry>, valueTag: number, refTag: number, limit: number) {
  const [degrees, minutes = 0, seconds = 0] = tiff.rationals(gps.get(valueTag)) ?? [];
  if (degrees === undefined) return undefined;
  const value = degrees + minutes / 60 + seconds / 3600;
  if (!Number.isFinite(value) || value > limit) return undefined;
  const ref = tiff.text(gps.get(refTag));
  const signed = ref === 'S' || ref === 'W' ? -value : value;
  return Math.round(signed * 1e6) / 1e6;
}

export function readExifSummary(block: Uint8Array | undefined): ExifSummary {
  if (!block || !isTiff(block)) return {};
  const tiff = new TiffReader(block);
  const ifd0 = tiff.ifd(tiff.u32(4));
  const exifOffset = tiff.pointer(ifd0.get(TAG.exifIfd));
  const exif = exifOffset === undefined ? new Map<number, Entry>() : tiff.ifd(exifOffset);
  const gpsOffset = tiff.pointer(ifd0.get(TAG.gpsIfd));
  const gps = gpsOffset === undefined ? new Map<number, Entry>() : tiff.ifd(gpsOffset);

  const summary: ExifSummary = {};
  const make = tiff.text(ifd0.get(TAG.make));
  const model = tiff.text(ifd0.get(TAG.model));
  if (make || model) summary.camera = { make, model };
  const takenAt =
    isoDateTime(tiff.text(exif.get(TAG.dateTimeOriginal)), tiff.text(exif.get(TAG.offsetTimeOriginal))) ??
    isoDateTime(tiff.text(ifd0.get(TAG.dateTime)), undefined);
  if (takenAt) summary.takenAt = takenAt;
  const latitude = coordinate(tiff, gps, TAG.latitude, TAG.latitudeRef, 90);
  const longitude = coordinate(tiff, gps, TAG.longitude, TAG.longitudeRef, 180);
  if (latitude !== undefined && longitude !== undefined) summary.gps = { latitude, longitude };
  return summary;
}
