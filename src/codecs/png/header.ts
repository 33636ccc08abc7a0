/** IHDR, PLTE and tRNS: what a PNG's pixels are, checked before any pixel is read. */
import { MAX_UINT31 } from './chunks';
import { PngError } from './errors';

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
  /** Samples per pixel in the file: 1 for grey and palette, 2, 3 or 4. */
  channels: number;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

export function parseIhdr(data: Uint8Array): PngHeader {
  if (data.length !== 13) throw new PngError(`IHDR is ${data.length} bytes, expected 13`);
  const dv = new DataView(data.buffer, data.byteOffset, data.length);
  const [width, height] = [dv.getUint32(0), dv.getUint32(4)];
  const [bitDepth, colorType, compression, filter, interlace] = data.subarray(8);
  if (width === 0 || height === 0 || width > MAX_UINT31 || height > MAX_UINT31) {
    throw new PngError(`IHDR size ${width}×${height} is out of range`);
  }
  const depths = DEPTHS[colorType!];
  if (!depths) throw new PngError(`IHDR colour type ${colorType} is not 0, 2, 3, 4 or 6`);
  if (!depths.includes(bitDepth!)) throw new PngError(`IHDR bit depth ${bitDepth} is not allowed for colour type ${colorType}`);
  if (compression !== 0) throw new PngError(`IHDR compression method ${compression} is not 0`);
  if (filter !== 0) throw new PngError(`IHDR filter method ${filter} is not 0`);
  if (interlace !== 0 && interlace !== 1) throw new PngError(`IHDR interlace method ${interlace} is not 0 or 1`);
  return { width, height, bitDepth: bitDepth!, colorType: colorType!, interlaced: interlace === 1, channels: CHANNELS[colorType!]! };
}

/** Bytes of one unfiltered row `width` pixels wide, without the filter byte. */
export const packedRowBytes = (width: number, channels: number, bitDepth: number) => Math.ceil((width * channels * bitDepth) / 8);

/**
 * The palette as 256 RGBA entries, opaque until tRNS says otherwise. Indices
 * past the palette's end read as opaque black; entries beyond what the bit
 * depth can index are unreachable and allowed, as libpng allows them.
 */
export function parsePalette(plte: Uint8Array): Uint8Array {
  const entries = plte.length / 3;
  if (!Number.isInteger(entries) || entries < 1 || entries > 256) throw new PngError(`PLTE is ${plte.length} bytes, not 3 to 768 in steps of 3`);
  const rgba = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) rgba[i * 4 + 3] = 255;
  for (let i = 0; i < entries; i++) rgba.set(plte.subarray(i * 3, i * 3 + 3), i * 4);
  return rgba;
}

/**
 * tRNS for grey and RGB: the colour key in the file's own sample values (16-bit
 * keys compare with whole 16-bit samples); for palettes, writes alpha into it.
 * Returns undefined where the chunk does not apply (it is ignored, as libpng does).
 */
export function applyTrns(trns: Uint8Array, header: PngHeader, palette: Uint8Array | undefined): number[] | undefined {
  const dv = new DataView(trns.buffer, trns.byteOffset, trns.length);
  if (header.colorType === 0 && trns.length >= 2) return [dv.getUint16(0)];
  if (header.colorType === 2 && trns.length >= 6) return [dv.getUint16(0), dv.getUint16(2), dv.getUint16(4)];
  if (header.colorType === 3 && palette) {
    for (let i = 0; i < Math.min(trns.length, 256); i++) palette[i * 4 + 3] = trns[i]!;
  }
  return undefined;
}
