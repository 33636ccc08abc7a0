/**
 * Writes an animated WebP from still WebPs our encoder made, one a frame:
 * VP8X (animation, and alpha when a frame has it), ANIM (loop count,
 * transparent background), then one ANMF per frame holding that still's
 * ALPH and VP8 chunks. Every frame covers the whole canvas and replaces it
 * (no blending, no disposal): simple and always right, though
 * libwebp's WebPAnimEncoder, which encodes only the rectangle that changed,
 * makes smaller files.
 */
import { view } from '../probe/header-fields';
import type { Size } from '../types';
import { riffChunk, riffChunks, riffFile, vp8xChunk, VP8X_ALPHA, VP8X_ANIMATION } from './riff';

export interface EncodedFrame {
  /** A still WebP of the canvas's size. */
  webp: Uint8Array;
  delayMs: number;
}

/** Largest frame duration ANMF can hold (24 bits of milliseconds). */
const MAX_DURATION = 0xffffff;
const ANMF_NO_BLEND = 0x02;

function anmf(size: Size, frame: EncodedFrame): { bytes: Uint8Array; alpha: boolean } {
  const parts = [...riffChunks(frame.webp)].filter((c) => c.type === 'ALPH' || c.type === 'VP8 ' || c.type === 'VP8L');
  const header = new Uint8Array(16);
  const u24 = (at: number, value: number) => header.set([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff], at);
  // X and Y (stored halved) are 0.
  u24(6, size.width - 1);
  u24(9, size.height - 1);
  u24(12, Math.min(MAX_DURATION, Math.max(0, Math.round(frame.delayMs))));
  header[15] = ANMF_NO_BLEND;
  const payload = new Uint8Array(16 + parts.reduce((sum, c) => sum + c.bytes.length, 0));
  payload.set(header);
  let at = 16;
  for (const part of parts) {
    payload.set(part.bytes, at);
    at += part.bytes.length;
  }
  return { bytes: riffChunk('ANMF', payload), alpha: parts.some((c) => c.type === 'ALPH') };
}

/** `loops`: 0 plays forever. */
export function muxAnimatedWebp(size: Size, loops: number, frames: readonly EncodedFrame[]): Uint8Array {
  const anmfs = frames.map((frame) => anmf(size, frame));
  const anim = new Uint8Array(6); // background 0x00000000 (transparent), then the loop count
  view(anim).setUint16(4, Math.min(0xffff, loops), true);
  const flags = VP8X_ANIMATION | (anmfs.some((f) => f.alpha) ? VP8X_ALPHA : 0);
  return riffFile([vp8xChunk(flags, size.width, size.height), riffChunk('ANIM', anim), ...anmfs.map((f) => f.bytes)]);
}
