/** Builds a big-endian EXIF (TIFF) block and splices it into a JPEG, for metadata tests with known values. */

type Value = { ascii: string } | { short: number } | { long: number } | { rationals: [number, number][] };
export type Ifd = [tag: number, value: Value][];

const encode = (value: Value): { type: number; count: number; bytes: number[] } => {
  if ('ascii' in value) return { type: 2, count: value.ascii.length + 1, bytes: [...value.ascii, '\0'].map((c) => c.charCodeAt(0)) };
  if ('short' in value) return { type: 3, count: 1, bytes: [value.short >> 8, value.short & 255, 0, 0] };
  if ('long' in value) return { type: 4, count: 1, bytes: be32(value.long) };
  return { type: 5, count: value.rationals.length, bytes: value.rationals.flatMap(([n, d]) => [...be32(n), ...be32(d)]) };
};
const be32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const be16 = (n: number) => [n >> 8, n & 255];

const ifdSize = (ifd: Ifd) =>
  2 + ifd.length * 12 + 4 + ifd.reduce((sum, [, v]) => {
    const { bytes } = encode(v);
    return sum + (bytes.length > 4 ? bytes.length + (bytes.length & 1) : 0);
  }, 0);

function writeIfd(ifd: Ifd, offset: number): number[] {
  const out = [...be16(ifd.length)];
  const data: number[] = [];
  const dataAt = offset + 2 + ifd.length * 12 + 4;
  for (const [tag, value] of ifd) {
    const { type, count, bytes } = encode(value);
    out.push(...be16(tag), ...be16(type), ...be32(count));
    if (bytes.length <= 4) {
      out.push(...bytes, ...new Array(4 - bytes.length).fill(0));
    } else {
      out.push(...be32(dataAt + data.length));
      data.push(...bytes, ...(bytes.length & 1 ? [0] : []));
    }
  }
  return [...out, 0, 0, 0, 0, ...data];
}

/** IFD0 plus optional Exif and GPS sub-IFDs, linked by their pointer tags. */
export function buildExif(ifd0: Ifd, exif: Ifd = [], gps: Ifd = []): Uint8Array {
  const pointers: Ifd = [];
  const ifd0Size = ifdSize([...ifd0, ...(exif.length ? [[0x8769, { long: 0 }]] : []), ...(gps.length ? [[0x8825, { long: 0 }]] : [])] as Ifd);
  const exifAt = 8 + ifd0Size;
  const gpsAt = exifAt + (exif.length ? ifdSize(exif) : 0);
  if (exif.length) pointers.push([0x8769, { long: exifAt }]);
  if (gps.length) pointers.push([0x8825, { long: gpsAt }]);
  const first = [...ifd0, ...pointers].sort(([a], [b]) => a - b);
  return new Uint8Array([
    0x4d, 0x4d, 0, 42, ...be32(8),
    ...writeIfd(first, 8),
    ...(exif.length ? writeIfd(exif, exifAt) : []),
    ...(gps.length ? writeIfd(gps, gpsAt) : []),
  ]);
}

/** Inserts an APP1 Exif segment right after the JPEG's SOI marker. */
export function withExif(jpeg: Uint8Array, tiff: Uint8Array): Uint8Array {
  const payload = [...'Exif\0\0'].map((c) => c.charCodeAt(0)).concat([...tiff]);
  const segment = [0xff, 0xe1, ...be16(payload.length + 2), ...payload];
  return new Uint8Array([...jpeg.subarray(0, 2), ...segment, ...jpeg.subarray(2)]);
}
