/** WebP's RIFF container: reading its chunks, writing a file of chunks, the VP8X header chunk. */
import { fourCC, view } from '../probe/header-fields';

export const VP8X_ANIMATION = 0x02;
export const VP8X_ALPHA = 0x10;

export interface Chunk {
  type: string;
  /** The whole chunk: header, payload and padding. */
  bytes: Uint8Array;
  payload: Uint8Array;
}

/** RIFF chunks from `at` to the end of `bytes`, each padded to an even length. */
export function* riffChunks(bytes: Uint8Array, at = 12): Generator<Chunk> {
  while (at + 8 <= bytes.length) {
    const length = view(bytes).getUint32(at + 4, true);
    const end = at + 8 + length;
    if (end > bytes.length) throw new RangeError('a WebP chunk runs past the end of the file');
    yield { type: fourCC(bytes, at), bytes: bytes.subarray(at, end + (length & 1)), payload: bytes.subarray(at + 8, end) };
    at = end + (length & 1);
  }
}

/** True when the VP8X chunk says the file is an animation. */
export function isAnimatedWebp(bytes: Uint8Array): boolean {
  return fourCC(bytes, 12) === 'VP8X' && ((bytes[20] ?? 0) & VP8X_ANIMATION) !== 0;
}

/** A RIFF file of `chunks` (each whole, as {@link riffChunks} gives them). */
export function riffFile(chunks: Uint8Array[]): Uint8Array {
  const size = 4 + chunks.reduce((sum, c) => sum + c.length, 0);
  const file = new Uint8Array(8 + size);
  file.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  view(file).setUint32(4, size, true);
  file.set([0x57, 0x45, 0x42, 0x50], 8); // WEBP
  let at = 12;
  for (const chunk of chunks) {
    file.set(chunk, at);
    at += chunk.length;
  }
  return file;
}

/** One chunk: its type, payload length, payload and padding to an even length. */
export function riffChunk(type: string, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(8 + payload.length + (payload.length & 1));
  bytes.set([...type].map((c) => c.charCodeAt(0)));
  view(bytes).setUint32(4, payload.length, true);
  bytes.set(payload, 8);
  return bytes;
}

/** A VP8X chunk for a canvas of `width`×`height` with `flags`. */
export function vp8xChunk(flags: number, width: number, height: number): Uint8Array {
  const chunk = new Uint8Array(18);
  chunk.set([0x56, 0x50, 0x38, 0x58, 10]); // "VP8X", payload length 10
  chunk[8] = flags;
  const at = (offset: number, value: number) => chunk.set([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff], offset);
  at(12, width - 1);
  at(15, height - 1);
  return chunk;
}

