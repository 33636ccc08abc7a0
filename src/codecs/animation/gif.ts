/** A GIF as an {@link Animation}: GIF's disposal methods and transparent index in the common terms. */
import { drawGifFrame, readGif } from '../gif/read';
import type { Animation, AnimationFrame } from './types';

const DISPOSE: Record<number, AnimationFrame['dispose']> = { 2: 'background', 3: 'previous' };

export function gifAnimation(bytes: Uint8Array): Animation {
  const file = readGif(bytes);
  const largest = Math.max(...file.frames.map((f) => f.width * f.height));
  return {
    width: file.width,
    height: file.height,
    // NETSCAPE2.0 counts repeats after the first play (0: forever); without it, the GIF plays once.
    loops: file.loops === undefined ? 1 : file.loops === 0 ? 0 : file.loops + 1,
    frames: file.frames.map((f) => ({
      x: f.x,
      y: f.y,
      width: f.width,
      height: f.height,
      delayMs: f.delayMs,
      dispose: DISPOSE[f.disposal] ?? 'none',
      blend: true,
    })),
    draw: async (index, canvas) => drawGifFrame(bytes, file, file.frames[index]!, canvas),
    // The frame's palette indices.
    frameDecodeMemory: largest,
  };
}
