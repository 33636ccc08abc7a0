/**
 * Walks a GIF's blocks (87a and 89a) without decoding pixels: the logical
 * screen, the loop count (the NETSCAPE2.0 extension) and each frame's
 * rectangle, delay, disposal, transparent index, interlacing and palette.
 * Decoding a frame is then one LZW pass over its data (./lzw.ts).
 */
import { decodeLzw } from './lzw';

export interface GifFrame {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Milliseconds (the file stores hundredths of a second). */
  delayMs: number;
  /** 0–1: leave, 2: restore to background (transparent), 3: restore what was there before. */
  disposal: number;
  transparentIndex?: number;
  interlaced: boolean;
  /** Offset and number of colours of the palette in force (local, else global). */
  palette: { at: number; colors: number };
  /** Offset of the LZW minimum code size byte. */
  data: number;
}

export interface GifFile {
  width: number;
  height: number;
  /** NETSCAPE2.0 loop count (0: forever); undefined when the file has none (played once). */
  loops?: number;
  frames: GifFrame[];
}

class GifError extends Error {
  override name = 'GifError';
}

const u16 = (b: Uint8Array, at: number) => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);

/** Skips data sub-blocks from `at` (a length byte) to just past the terminator. */
function skipSubBlocks(bytes: Uint8Array, at: number): number {
  while (at < bytes.length) {
    const length = bytes[at]!;
    at += 1 + length;
    if (length === 0) return at;
  }
  throw new GifError('the file ends inside a block');
}

const NETSCAPE = 'NETSCAPE2.0';

/** A frame's area may be at most this many times the logical screen's: what decoding one frame allocates stays bounded. */
export const MAX_FRAME_TO_SCREEN = 2;

/** The blocks of a GIF; throws GifError on a structure that cannot be walked. */
export function readGif(bytes: Uint8Array): GifFile {
  const signature = String.fromCharCode(...bytes.subarray(0, 6));
  if (signature !== 'GIF87a' && signature !== 'GIF89a') throw new GifError('not a GIF87a/89a file');
  if (bytes.length < 13) throw new GifError('the logical screen descriptor is cut short');
  const width = u16(bytes, 6);
  const height = u16(bytes, 8);
  const flags = bytes[10]!;
  let at = 13;
  const global = flags & 0x80 ? { at, colors: 2 << (flags & 7) } : undefined;
  if (global) at += global.colors * 3;
  const file: GifFile = { width, height, frames: [] };
  let control: Pick<GifFrame, 'delayMs' | 'disposal' | 'transparentIndex'> = { delayMs: 0, disposal: 0 };
  while (at < bytes.length) {
    const introducer = bytes[at++];
    if (introducer === 0x3b) break; // trailer
    if (introducer === 0x21) {
      const label = bytes[at++];
      if (label === 0xf9 && bytes[at] === 4) {
        const packed = bytes[at + 1]!;
        control = {
          delayMs: u16(bytes, at + 2) * 10,
          disposal: (packed >> 2) & 7,
          ...(packed & 1 && { transparentIndex: bytes[at + 4]! }),
        };
      } else if (label === 0xff && bytes[at] === 11 && String.fromCharCode(...bytes.subarray(at + 1, at + 12)) === NETSCAPE) {
        if (bytes[at + 12]! >= 3 && bytes[at + 13] === 1) file.loops = u16(bytes, at + 14);
      }
      at = skipSubBlocks(bytes, at);
    } else if (introducer === 0x2c) {
      if (at + 9 > bytes.length) throw new GifError('an image descriptor is cut short');
      const packed = bytes[at + 8]!;
      const frame = { x: u16(bytes, at), y: u16(bytes, at + 2), width: u16(bytes, at + 4), height: u16(bytes, at + 6) };
      at += 9;
      let palette = global;
      if (packed & 0x80) {
        palette = { at, colors: 2 << (packed & 7) };
        at += palette.colors * 3;
      }
      if (!palette) throw new GifError('a frame has no colour table');
      // Browsers draw frames that overhang the screen, clipped; one far larger is a decompression bomb.
      if (frame.width * frame.height > MAX_FRAME_TO_SCREEN * width * height) {
        throw new GifError(`a ${frame.width}×${frame.height} frame is far larger than the ${width}×${height} logical screen`);
      }
      file.frames.push({ ...frame, ...control, interlaced: (packed & 0x40) !== 0, palette, data: at });
      control = { delayMs: 0, disposal: 0 };
      at = skipSubBlocks(bytes, at + 1);
    } else {
      // Some writers pad after the last frame; with frames already read, what follows is ignored, as browsers do.
      if (file.frames.length > 0) break;
      throw new GifError(`unknown block 0x${(introducer ?? 0).toString(16)}`);
    }
  }
  if (file.frames.length === 0) throw new GifError('the file has no frame');
  return file;
}

/** The screen row of each stored row: interlaced frames store every 8th row from 0, every 8th from 4, every 4th from 2, every 2nd from 1. */
function storedRows(height: number, interlaced: boolean): Int32Array {
  const rows = new Int32Array(height);
  if (!interlaced) {
    for (let y = 0; y < height; y++) rows[y] = y;
    return rows;
  }
  let i = 0;
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]] as const) {
    for (let y = start; y < height; y += step) rows[i++] = y;
  }
  return rows;
}

/** The palette as RGBA words (little-endian, as the canvas's bytes read on every Workers host); 0 marks an index drawn as nothing. */
function paletteWords(bytes: Uint8Array, frame: GifFrame): Uint32Array {
  const words = new Uint32Array(256);
  const { at, colors } = frame.palette;
  for (let i = 0; i < colors; i++) {
    const from = at + i * 3;
    words[i] = ((255 << 24) | ((bytes[from + 2] ?? 0) << 16) | ((bytes[from + 1] ?? 0) << 8) | (bytes[from] ?? 0)) >>> 0;
  }
  if (frame.transparentIndex !== undefined) words[frame.transparentIndex] = 0;
  return words;
}

/**
 * Draws a frame's opaque pixels onto `canvas` (the logical screen, RGBA),
 * clipped to it; transparent and undecoded pixels leave the canvas as it was.
 */
export function drawGifFrame(bytes: Uint8Array, file: GifFile, frame: GifFrame, canvas: Uint8ClampedArray): void {
  const indices = new Uint8Array(frame.width * frame.height);
  const decoded = decodeLzw(bytes, frame.data, indices);
  const words = paletteWords(bytes, frame);
  const screen = new Uint32Array(canvas.buffer, canvas.byteOffset, canvas.length / 4);
  const columns = Math.max(0, Math.min(frame.width, file.width - frame.x));
  const rows = storedRows(frame.height, frame.interlaced);
  for (let stored = 0; stored < frame.height; stored++) {
    const y = frame.y + rows[stored]!;
    const first = stored * frame.width;
    if (y >= file.height) continue;
    const last = Math.min(first + columns, decoded);
    let to = y * file.width + frame.x;
    for (let i = first; i < last; i++, to++) {
      const word = words[indices[i]!]!;
      if (word !== 0) screen[to] = word;
    }
  }
}
