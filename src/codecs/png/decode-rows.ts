/**
 * A streaming PNG decoder in TypeScript: chunks are read as they arrive,
 * IDAT is inflated by the runtime's native zlib a piece at a time, and rows
 * are unfiltered and expanded to 8-bit RGBA one at a time, so a decode holds
 * two packed rows and one band — except for interlaced files (see adam7.ts).
 *
 * Decisions, for files that break the spec:
 * - CRCs of the chunks read (IHDR, PLTE, IDAT, and tRNS) must match; other
 *   ancillary chunks are skipped unread, their CRCs unchecked (libpng also
 *   only warns about those).
 * - Unknown critical chunks before the image data are errors.
 * - tRNS and PLTE after the first IDAT are never seen: decoding stops after
 *   the last IDAT, so a missing IEND (or anything after the image) is ignored.
 * - The zlib stream must be whole (its Adler-32 included) with nothing after
 *   it, and must inflate to exactly the bytes the header's rows need: more is
 *   an error raised as soon as it is seen (a decompression bomb stops there).
 * - Palette indices past PLTE's end are opaque black.
 * - gAMA, cHRM, sRGB, iCCP and sBIT change nothing: samples are passed as
 *   stored, which is what sharp's raw output gives for the PngSuite files.
 */
import type { OpenSink, RowSink } from '../rows';
import { passes, scatter, type Pass } from './adam7';
import { ByteSource, checkCrc, isCritical, readChunkData, readChunkHeader, readSignature, skipChunk, type ChunkHeader } from './chunks';
import { crc32 } from './crc32';
import { PngError } from './errors';
import { expander, type Expand, type Transparency } from './expand';
import { applyTrns, packedRowBytes, parseIhdr, parsePalette, type PngHeader } from './header';
import { inflate } from './inflate';
import { unfilter } from './unfilter';

export { PngError } from './errors';

/** Rows handed to the sink per write. */
const BAND_ROWS = 16;
/**
 * The inflate's reading buffer, about as much again for what workerd's zlib
 * holds after one write (a write can reach ~16 MiB only on the one piece
 * where a file turns from noise to flat colour; see inflate.ts), and zlib's
 * own state (32 KiB window and tables).
 */
const INFLATE_BYTES = 2 * 64 * 1024 + 48 * 1024;

/** Bytes a decode holds besides the input stream's chunks: row buffers, plus the whole packed image for interlaced files. */
export function pngDecodeMemory(header: { width: number; height: number; interlaced: boolean; bitDepth: number; channels: number }): number {
  const rowBytes = packedRowBytes(header.width, header.channels, header.bitDepth);
  const rows = 2 * (1 + rowBytes) + BAND_ROWS * header.width * 4;
  return INFLATE_BYTES + rows + (header.interlaced ? header.height * rowBytes : 0);
}

/**
 * Streams a PNG: inflates IDAT with the runtime's native DecompressionStream
 * chunk by chunk, unfilters row by row, expands every colour type and bit
 * depth to 8-bit RGBA, calls `open` once, writes bands of up to 16 rows into
 * the sink and returns `sink.close()`. On any failure calls `sink.abort()`
 * and rethrows: PngError for anything wrong with the file, a sink's own
 * errors unchanged.
 *
 * Interlaced (Adam7) files are gathered whole in their packed form first
 * (`height × ceil(width × channels × bitDepth / 8)` bytes, e.g. 36 MB for a
 * 12 MP 8-bit RGB file against 48 MB as RGBA), then expanded band by band.
 */
export async function decodePngRows<T>(source: ReadableStream<Uint8Array> | Uint8Array, open: OpenSink<T>): Promise<T> {
  const bytes = ByteSource.of(source);
  let sink: RowSink<T> | undefined;
  try {
    const { header, transparency, first } = await readHead(bytes);
    const expand = expander(header, transparency);
    sink = open({ width: header.width, height: header.height });
    await (header.interlaced ? decodeInterlaced : decodeSequential)(header, expand, idatData(bytes, first), sink);
    bytes.close();
    return await sink.close();
  } catch (error) {
    bytes.close();
    sink?.abort();
    throw error instanceof RangeError ? new PngError(`PNG too large to decode: ${error.message}`) : error;
  }
}

interface Head {
  header: PngHeader;
  transparency: Transparency;
  /** The first IDAT's header, its data next in the input. */
  first: ChunkHeader;
}

/** Everything up to the first IDAT. */
async function readHead(bytes: ByteSource): Promise<Head> {
  await readSignature(bytes);
  const ihdr = await readChunkHeader(bytes);
  if (ihdr.type !== 'IHDR') throw new PngError(`the first chunk is ${ihdr.type}, not IHDR`);
  const header = parseIhdr(await readChunkData(bytes, ihdr));
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  for (;;) {
    const chunk = await readChunkHeader(bytes);
    if (chunk.type === 'IDAT') {
      if (header.colorType === 3 && !palette) throw new PngError('palette image without a PLTE chunk');
      const key = trns && applyTrns(trns, header, palette);
      return { header, transparency: key ? { palette, key } : { palette }, first: chunk };
    }
    if (chunk.type === 'IEND') throw new PngError('no IDAT chunk: the file has no image data');
    if (chunk.type === 'IHDR') throw new PngError('a second IHDR chunk');
    if (chunk.type === 'PLTE') {
      const data = await readChunkData(bytes, chunk);
      // PLTE is only a suggestion for grey and RGB files; a palette file needs it.
      if (header.colorType === 3) palette = parsePalette(data);
    } else if (chunk.type === 'tRNS' && chunk.length <= 256 * 4) {
      trns = await readChunkData(bytes, chunk);
    } else if (isCritical(chunk.type)) {
      throw new PngError(`unknown critical chunk ${chunk.type}`);
    } else {
      await skipChunk(bytes, chunk);
    }
  }
}

/** The data of a run of consecutive IDAT chunks, as views of the input; each chunk's CRC is checked at its end. */
async function* idatData(bytes: ByteSource, first: ChunkHeader): AsyncGenerator<Uint8Array> {
  for (let chunk = first; chunk.type === 'IDAT'; ) {
    let crc = chunk.crc;
    for (let left = chunk.length; left > 0; ) {
      const data = await bytes.some(left, 'IDAT');
      crc = crc32(crc, data);
      left -= data.length;
      yield data;
    }
    await checkCrc(bytes, chunk, crc);
    if (await bytes.atEnd()) return;
    chunk = await readChunkHeader(bytes);
  }
}

/**
 * Cuts inflated bytes into filtered rows of the lengths `rowBytes` gives, in
 * order, unfilters each against the row before it (zeros at a pass's top)
 * and hands it on.
 */
class RowCutter {
  private cur: Uint8Array;
  private prev: Uint8Array;
  private filled = 0;
  /** Which entry of `rows` (an Adam7 pass) and which row of it comes next. */
  private group = 0;
  private index = 0;
  private rowLength: number;

  constructor(
    private readonly rows: { bytes: number; count: number }[],
    private readonly bpp: number,
    private readonly onRow: (row: Uint8Array, group: number, y: number) => void,
  ) {
    const longest = Math.max(...rows.map((r) => r.bytes));
    this.cur = new Uint8Array(1 + longest);
    this.prev = new Uint8Array(1 + longest);
    this.rowLength = 1 + (rows[0]?.bytes ?? 0);
  }

  get done(): boolean {
    return this.group >= this.rows.length;
  }

  push(data: Uint8Array): void {
    for (let at = 0; at < data.length; ) {
      if (this.done) throw new PngError('IDAT inflates to more bytes than the header’s rows need');
      const take = Math.min(this.rowLength - this.filled, data.length - at);
      this.cur.set(data.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.rowLength) this.finishRow();
    }
  }

  private finishRow(): void {
    const n = this.rowLength - 1;
    const row = this.cur.subarray(1, 1 + n);
    unfilter(this.cur[0]!, row, this.prev.subarray(1, 1 + n), this.bpp);
    this.onRow(row, this.group, this.index);
    [this.cur, this.prev] = [this.prev, this.cur];
    this.filled = 0;
    if (++this.index === this.rows[this.group]!.count) {
      this.index = 0;
      this.group++;
      const next = this.rows[this.group];
      if (next) {
        this.rowLength = 1 + next.bytes;
        this.prev.fill(0);
      }
    }
  }

  /** How far the rows got, for the error when data runs out. */
  progress(): string {
    const done = this.rows.slice(0, this.group).reduce((sum, r) => sum + r.count, 0) + this.index;
    const total = this.rows.reduce((sum, r) => sum + r.count, 0);
    return `${done} of ${total} rows`;
  }
}

const bytesPerPixel = (h: PngHeader) => Math.max(1, (h.channels * h.bitDepth) >> 3);

async function inflateRows(idat: AsyncIterator<Uint8Array>, cutter: RowCutter): Promise<void> {
  await inflate(idat, (data) => cutter.push(data));
  if (!cutter.done) throw new PngError(`image data ends after ${cutter.progress()}`);
}

async function decodeSequential<T>(header: PngHeader, expand: Expand, idat: AsyncIterator<Uint8Array>, sink: RowSink<T>): Promise<void> {
  const { width, height } = header;
  const band = new Uint8Array(Math.min(BAND_ROWS, height) * width * 4);
  let inBand = 0;
  const rows = [{ bytes: packedRowBytes(width, header.channels, header.bitDepth), count: height }];
  const cutter = new RowCutter(rows, bytesPerPixel(header), (row, _group, y) => {
    expand(row, band, inBand * width * 4, width);
    if (++inBand === BAND_ROWS || y === height - 1) {
      sink.write(band.subarray(0, inBand * width * 4), inBand);
      inBand = 0;
    }
  });
  await inflateRows(idat, cutter);
}

async function decodeInterlaced<T>(header: PngHeader, expand: Expand, idat: AsyncIterator<Uint8Array>, sink: RowSink<T>): Promise<void> {
  const { width, height, channels, bitDepth } = header;
  const stride = packedRowBytes(width, channels, bitDepth);
  const image = new Uint8Array(height * stride);
  const list: Pass[] = passes(width, height);
  const rows = list.map((p) => ({ bytes: packedRowBytes(p.width, channels, bitDepth), count: p.height }));
  const cutter = new RowCutter(rows, bytesPerPixel(header), (row, group, y) =>
    scatter(row, list[group]!, y, image, stride, channels * bitDepth),
  );
  await inflateRows(idat, cutter);
  const band = new Uint8Array(Math.min(BAND_ROWS, height) * width * 4);
  for (let y = 0; y < height; y += BAND_ROWS) {
    const count = Math.min(BAND_ROWS, height - y);
    for (let i = 0; i < count; i++) expand(image.subarray((y + i) * stride, (y + i + 1) * stride), band, i * width * 4, width);
    sink.write(band.subarray(0, count * width * 4), count);
  }
}
