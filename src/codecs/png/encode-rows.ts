/**
 * RGBA rows in, an 8-bit PNG out, a row at a time: each row gets the filter
 * with the smallest sum of absolute (signed) filtered bytes — libpng's
 * heuristic — and goes straight into pako's streaming zlib (a port of zlib
 * itself: fflate's streaming Deflate can emit back-references past the start
 * of its data, fflate issue #260, which broke PngSuite's tbbn0g04); its
 * output is cut into IDAT chunks of at most 64 KiB. Holds two rows, zlib's
 * window and hash tables (~260 KiB) and the compressed file, which close()
 * copies once into the file it returns.
 */
import { concatBytes } from '../../lib/bytes';
import { Deflate } from 'pako';
import type { EncodeOptions, RowSink } from '../rows';
import type { Size } from '../types';
import { SIGNATURE } from './chunks';
import { crc32 } from './crc32';
import { PngError } from './errors';
import { paeth } from './unfilter';

const IDAT_BYTES = 64 * 1024;
/** zlib's default, and sharp's: on a 12 MP photo's rows (Node 20) 1.55 s for 11.8 MB, level 4 1.30 s for 12.2 MB. */
const DEFLATE_LEVEL = 6;

/** RGBA rows in, PNG out: colour type 6 (RGBA) when `options.hasAlpha`, else 2 (RGB), 8-bit, not interlaced. */
export function openPngEncoder(size: Size, options: EncodeOptions): RowSink<Uint8Array> {
  const { width, height } = size;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new PngError(`Expected a size of 1 to 2³¹−1 pixels a side for the PNG encoder but received ${width}×${height}`);
  }
  const channels = options.hasAlpha ? 4 : 3;
  const rowBytes = width * channels;
  let parts: Uint8Array[] = [SIGNATURE, pngChunk('IHDR', ihdr(width, height, options.hasAlpha ? 6 : 2))];
  let prev = new Uint8Array(rowBytes);
  let cur = new Uint8Array(rowBytes);
  let filtered = new Uint8Array(1 + rowBytes);
  let idat = new Uint8Array(IDAT_BYTES);
  let idatFill = 0;
  let y = 0;
  let failed = false;

  const zlib = new Deflate({ level: DEFLATE_LEVEL });
  zlib.onData = (data) => {
    for (let at = 0; at < data.length; ) {
      const take = Math.min(IDAT_BYTES - idatFill, data.length - at);
      idat.set(data.subarray(at, at + take), idatFill);
      idatFill += take;
      at += take;
      if (idatFill === IDAT_BYTES) flushIdat();
    }
  };
  const flushIdat = () => {
    if (idatFill > 0) parts.push(pngChunk('IDAT', idat.subarray(0, idatFill)));
    idatFill = 0;
  };

  return {
    write(band, count) {
      if (failed) throw new PngError('the PNG encoder was aborted');
      if (y + count > height) throw new PngError(`Expected ${height} rows for the PNG encoder but received ${y + count}`);
      for (let r = 0; r < count; r++) {
        const rgba = band.subarray(r * width * 4, (r + 1) * width * 4);
        if (channels === 4) cur.set(rgba);
        else {
          for (let i = 0, o = 0; o < rowBytes; i += 4, o += 3) {
            cur[o] = rgba[i]!;
            cur[o + 1] = rgba[i + 1]!;
            cur[o + 2] = rgba[i + 2]!;
          }
        }
        filterRow(cur, prev, channels, filtered);
        zlib.push(filtered);
        [prev, cur] = [cur, prev];
      }
      y += count;
    },
    async close() {
      if (failed) throw new PngError('the PNG encoder was aborted');
      if (y !== height) throw new PngError(`Expected ${height} rows for the PNG encoder but received ${y}`);
      zlib.push(new Uint8Array(0), true);
      if (zlib.err) throw new PngError(`the PNG encoder failed: ${zlib.msg}`);
      flushIdat();
      parts.push(pngChunk('IEND', new Uint8Array(0)));
      const file = concatBytes(parts);
      parts = [];
      return file;
    },
    abort() {
      failed = true;
      parts = [];
      prev = cur = filtered = idat = new Uint8Array(0);
    },
  };
}

/** |v| for each byte v read as int8: the cost the filter heuristic sums. */
const COST = Uint8Array.from({ length: 256 }, (_, v) => (v < 128 ? v : 256 - v));

/**
 * Writes the filter byte and the filtered row into `out`, choosing the filter
 * (None, Sub, Up, Average, Paeth) whose bytes, read as signed, sum smallest;
 * ties go to the lower filter number. Returns the filter chosen.
 */
function filterRow(row: Uint8Array, prev: Uint8Array, bpp: number, out: Uint8Array): number {
  const n = row.length;
  const cost = COST;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  // One channel at a time, so the left (a) and upper-left (c) neighbours stay in locals.
  for (let ch = 0; ch < bpp; ch++) {
    let a = 0;
    let c = 0;
    for (let i = ch; i < n; i += bpp) {
      const x = row[i]!;
      const b = prev[i]!;
      s0 += cost[x]!;
      s1 += cost[(x - a) & 0xff]!;
      s2 += cost[(x - b) & 0xff]!;
      s3 += cost[(x - ((a + b) >> 1)) & 0xff]!;
      s4 += cost[(x - paeth(a, b, c)) & 0xff]!;
      a = x;
      c = b;
    }
  }
  let best = 0;
  let min = s0;
  if (s1 < min) [best, min] = [1, s1];
  if (s2 < min) [best, min] = [2, s2];
  if (s3 < min) [best, min] = [3, s3];
  if (s4 < min) best = 4;
  out[0] = best;
  const to = out.subarray(1);
  if (best === 0) to.set(row);
  else if (best === 2) for (let i = 0; i < n; i++) to[i] = row[i]! - prev[i]!;
  else if (best === 1) for (let i = 0; i < n; i++) to[i] = row[i]! - (i >= bpp ? row[i - bpp]! : 0);
  else if (best === 3) for (let i = 0; i < n; i++) to[i] = row[i]! - (((i >= bpp ? row[i - bpp]! : 0) + prev[i]!) >> 1);
  else {
    for (let ch = 0; ch < bpp; ch++) {
      let a = 0;
      let c = 0;
      for (let i = ch; i < n; i += bpp) {
        const x = row[i]!;
        const b = prev[i]!;
        to[i] = x - paeth(a, b, c);
        a = x;
        c = b;
      }
    }
  }
  return best;
}

function ihdr(width: number, height: number, colorType: number): Uint8Array {
  const data = new Uint8Array(13);
  const dv = new DataView(data.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  data[8] = 8;
  data[9] = colorType;
  return data;
}

/** Length, type, data and CRC, as one array. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(0, out.subarray(4, 8 + data.length)));
  return out;
}

