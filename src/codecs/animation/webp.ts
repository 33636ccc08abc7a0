/**
 * An animated WebP as an {@link Animation}: its RIFF container is walked
 * here (VP8X, ANIM, one ANMF per frame), and each frame's bitstream (VP8 or
 * VP8L, with its ALPH) is wrapped as a still WebP for our libwebp decoder.
 */
import { fourCC, view } from '../probe/header-fields';
import { riffChunks, riffFile, vp8xChunk, VP8X_ALPHA } from './riff';
import { decodeWebpRows, webpDecodeMemory } from '../libwebp';
import { collect } from '../rows';
import type { Animation, AnimationFrame } from './types';

const u24 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);

/** Alpha-blends a decoded frame over the canvas (libwebp's non-premultiplied blend), or replaces the rectangle. */
function paint(canvas: Uint8ClampedArray, canvasWidth: number, canvasHeight: number, frame: AnimationFrame, pixels: Uint8ClampedArray): void {
  for (let row = 0; row < frame.height && frame.y + row < canvasHeight; row++) {
    for (let col = 0; col < frame.width && frame.x + col < canvasWidth; col++) {
      const from = (row * frame.width + col) * 4;
      const to = ((frame.y + row) * canvasWidth + frame.x + col) * 4;
      const srcA = pixels[from + 3]!;
      if (!frame.blend || srcA === 255) {
        canvas.set(pixels.subarray(from, from + 4), to);
        continue;
      }
      const dstA = (canvas[to + 3]! * (255 - srcA)) / 255;
      const outA = srcA + dstA;
      for (let c = 0; c < 3; c++) {
        canvas[to + c] = outA === 0 ? 0 : (pixels[from + c]! * srcA + canvas[to + c]! * dstA) / outA;
      }
      canvas[to + 3] = outA;
    }
  }
}

export function webpAnimation(bytes: Uint8Array): Animation {
  let width = 0;
  let height = 0;
  let loops = 0;
  const frames: AnimationFrame[] = [];
  const stills: Uint8Array[][] = [];
  for (const chunk of riffChunks(bytes)) {
    const p = chunk.payload;
    if (chunk.type === 'VP8X' && p.length >= 10) {
      width = u24(p, 4) + 1;
      height = u24(p, 7) + 1;
    } else if (chunk.type === 'ANIM' && p.length >= 6) {
      loops = view(p).getUint16(4, true);
    } else if (chunk.type === 'ANMF' && p.length >= 16) {
      const flags = p[15]!;
      frames.push({
        x: u24(p, 0) * 2,
        y: u24(p, 3) * 2,
        width: u24(p, 6) + 1,
        height: u24(p, 9) + 1,
        delayMs: u24(p, 12),
        dispose: flags & 1 ? 'background' : 'none',
        blend: (flags & 2) === 0,
      });
      stills.push([...riffChunks(p, 16)].filter((c) => ['ALPH', 'VP8 ', 'VP8L'].includes(c.type)).map((c) => c.bytes));
    }
  }
  if (frames.length === 0) throw new RangeError('the animated WebP has no frame');
  // As libwebp's demuxer: a frame lies inside the canvas, so decoding one costs at most a canvas.
  if (frames.some((f) => f.x + f.width > width || f.y + f.height > height)) throw new RangeError('an ANMF frame lies outside the canvas');
  const largest = frames.reduce((max, f) => (f.width * f.height > max.width * max.height ? f : max));
  return {
    width,
    height,
    loops,
    frames,
    async draw(index, canvas) {
      const frame = frames[index]!;
      const chunks = stills[index]!;
      const alpha = chunks.some((c) => fourCC(c, 0) === 'ALPH');
      const still = riffFile(alpha ? [vp8xChunk(VP8X_ALPHA, frame.width, frame.height), ...chunks] : chunks);
      const picture = await decodeWebpRows(still, { minWidth: frame.width, minHeight: frame.height }, collect);
      if (picture.width !== frame.width || picture.height !== frame.height) {
        throw new RangeError(`frame ${index} is ${picture.width}×${picture.height}, not the ${frame.width}×${frame.height} its ANMF says`);
      }
      paint(canvas, width, height, frame, picture.data);
    },
    // The frame decoded whole (lossless at worst), then its RGBA copy.
    frameDecodeMemory: webpDecodeMemory(largest, true, largest) + largest.width * largest.height * 4,
  };
}
