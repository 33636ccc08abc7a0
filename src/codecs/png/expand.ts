/** One unfiltered row in the file's own packing → 8-bit RGBA, for every colour type and bit depth. */
import type { PngHeader } from './header';

/** Writes `width` RGBA pixels from `row` into `out` at `at`. */
export type Expand = (row: Uint8Array, out: Uint8Array, at: number, width: number) => void;

export interface Transparency {
  /** RGBA × 256 for palette files, alpha from tRNS. */
  palette?: Uint8Array;
  /** tRNS colour key for grey (one sample) or RGB (three), in the file's sample values. */
  key?: number[];
}

/**
 * 16-bit samples keep their high byte (v >> 8): what libvips, and so sharp,
 * does when casting 16-bit PNG samples to 8 bits. Grey below 8 bits is
 * scaled to fill 0–255 (×255, ×85, ×17 for 1, 2, 4 bits).
 */
export function expander(header: PngHeader, { palette, key }: Transparency): Expand {
  const { colorType, bitDepth } = header;
  if (colorType === 3) return bitDepth === 8 ? palette8(palette!) : paletteLow(palette!, bitDepth);
  if (colorType === 0) return bitDepth === 16 ? grey16(key?.[0]) : greyLow(bitDepth, key?.[0]);
  if (colorType === 2) return bitDepth === 16 ? rgb16(key) : rgb8(key);
  if (colorType === 4) return bitDepth === 16 ? greyAlpha16 : greyAlpha8;
  return bitDepth === 16 ? rgba16 : rgba8;
}

const palette8 =
  (palette: Uint8Array): Expand =>
  (row, out, at, width) => {
    const table = new Uint32Array(palette.buffer, palette.byteOffset, 256);
    const out32 = (at & 3) === 0 && (out.byteOffset & 3) === 0 ? new Uint32Array(out.buffer, out.byteOffset + at, width) : undefined;
    if (out32) for (let x = 0; x < width; x++) out32[x] = table[row[x]!]!;
    else for (let x = 0; x < width; x++) out.set(palette.subarray(row[x]! * 4, row[x]! * 4 + 4), at + x * 4);
  };

function paletteLow(palette: Uint8Array, bits: number): Expand {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  return (row, out, at, width) => {
    for (let x = 0; x < width; x++) {
      const shift = 8 - bits * ((x % perByte) + 1);
      const p = ((row[(x / perByte) | 0]! >> shift) & mask) * 4;
      const o = at + x * 4;
      out[o] = palette[p]!;
      out[o + 1] = palette[p + 1]!;
      out[o + 2] = palette[p + 2]!;
      out[o + 3] = palette[p + 3]!;
    }
  };
}

function greyLow(bits: number, key: number | undefined): Expand {
  const scale = 255 / ((1 << bits) - 1);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  return (row, out, at, width) => {
    for (let x = 0; x < width; x++) {
      const v = bits === 8 ? row[x]! : (row[(x / perByte) | 0]! >> (8 - bits * ((x % perByte) + 1))) & mask;
      const g = bits === 8 ? v : v * scale;
      const o = at + x * 4;
      out[o] = out[o + 1] = out[o + 2] = g;
      out[o + 3] = v === key ? 0 : 255;
    }
  };
}

const grey16 =
  (key: number | undefined): Expand =>
  (row, out, at, width) => {
    for (let x = 0; x < width; x++) {
      const hi = row[x * 2]!;
      const o = at + x * 4;
      out[o] = out[o + 1] = out[o + 2] = hi;
      out[o + 3] = ((hi << 8) | row[x * 2 + 1]!) === key ? 0 : 255;
    }
  };

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

const rgb8 =
  (key: number[] | undefined): Expand =>
  (row, out, at, width) => {
    if (!key && LITTLE_ENDIAN && ((out.byteOffset + at) & 3) === 0) {
      // One 32-bit store per pixel: the common case (opaque photos) at half the cost.
      const out32 = new Uint32Array(out.buffer, out.byteOffset + at, width);
      for (let x = 0, i = 0; x < width; x++, i += 3) out32[x] = row[i]! | (row[i + 1]! << 8) | (row[i + 2]! << 16) | 0xff000000;
      return;
    }
    const [kr = -1, kg = -1, kb = -1] = key ?? [];
    for (let x = 0, i = 0, o = at; x < width; x++, i += 3, o += 4) {
      const r = row[i]!;
      const g = row[i + 1]!;
      const b = row[i + 2]!;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = r === kr && g === kg && b === kb ? 0 : 255;
    }
  };

const rgb16 =
  (key: number[] | undefined): Expand =>
  (row, out, at, width) => {
    const [kr = -1, kg = -1, kb = -1] = key ?? [];
    for (let x = 0, i = 0, o = at; x < width; x++, i += 6, o += 4) {
      out[o] = row[i]!;
      out[o + 1] = row[i + 2]!;
      out[o + 2] = row[i + 4]!;
      const keyed = key && ((row[i]! << 8) | row[i + 1]!) === kr && ((row[i + 2]! << 8) | row[i + 3]!) === kg && ((row[i + 4]! << 8) | row[i + 5]!) === kb;
      out[o + 3] = keyed ? 0 : 255;
    }
  };

const greyAlpha8: Expand = (row, out, at, width) => {
  for (let x = 0, i = 0, o = at; x < width; x++, i += 2, o += 4) {
    out[o] = out[o + 1] = out[o + 2] = row[i]!;
    out[o + 3] = row[i + 1]!;
  }
};

const greyAlpha16: Expand = (row, out, at, width) => {
  for (let x = 0, i = 0, o = at; x < width; x++, i += 4, o += 4) {
    out[o] = out[o + 1] = out[o + 2] = row[i]!;
    out[o + 3] = row[i + 2]!;
  }
};

const rgba8: Expand = (row, out, at, width) => out.set(row.subarray(0, width * 4), at);

const rgba16: Expand = (row, out, at, width) => {
  for (let x = 0, i = 0, o = at; x < width; x++, i += 8, o += 4) {
    out[o] = row[i]!;
    out[o + 1] = row[i + 2]!;
    out[o + 2] = row[i + 4]!;
    out[o + 3] = row[i + 6]!;
  }
};
