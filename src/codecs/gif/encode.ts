/**
 * GIF encoding with gifenc: each frame is quantised to its own palette of
 * up to 256 colours (gifenc's median cut in RGB565; a frame with
 * transparency keeps one entry for it, one-bit) and LZW-coded. No
 * dithering: gifenc has none, and a palette per frame keeps banding low.
 */
import { applyPalette, GIFEncoder, quantize } from 'gifenc';
import { trackBuffer } from '../../lib/memory-meter';
import type { RgbaImage } from '../types';

export interface GifWriter {
  /** `alpha` false: the frame is opaque, so its palette spends no entry on transparency. */
  frame(image: RgbaImage, delayMs: number, alpha: boolean): void;
  finish(): Uint8Array;
}

/** `loops`: times played, as WebP counts them (0: forever, 1: once). */
export function openGifWriter(loops: number, hasAlpha: boolean): GifWriter {
  const gif = GIFEncoder({ initialCapacity: 64 * 1024 });
  let first = true;
  return {
    frame(image, delayMs, alpha) {
      // Colours in RGB565 (finer than RGBA4444); with alpha, one entry is kept for transparency.
      const palette = quantize(image.data, alpha ? 255 : 256);
      const index = applyPalette(image.data, palette);
      const transparentIndex = alpha ? palette.push([0, 0, 0]) - 1 : -1;
      if (alpha) for (let i = 0; i < index.length; i++) if (image.data[i * 4 + 3]! < ALPHA_THRESHOLD) index[i] = transparentIndex;
      gif.writeFrame(index, image.width, image.height, {
        palette,
        delay: delayMs,
        // gifenc's repeat is NETSCAPE2.0's count of repeats after the first play; -1 writes no block (once).
        ...(first && { repeat: loops === 0 ? 0 : Math.min(0xffff, loops - 1) || -1 }),
        ...(transparentIndex >= 0 && { transparent: true, transparentIndex }),
        // Every frame covers the screen: with transparency anywhere, each is drawn on a cleared screen (2),
        // or the next frame's transparent pixels would show this one.
        dispose: hasAlpha ? 2 : 1,
      });
      first = false;
    },
    finish() {
      gif.finish();
      return trackBuffer(gif.bytesView().slice());
    },
  };
}

/** GIF transparency is one bit: pixels less than half opaque become transparent. */
const ALPHA_THRESHOLD = 128;

/** Peak bytes of one frame: its palette indices, gifenc's colour histogram and hash tables, the growing file. */
export const gifFrameMemory = (pixels: number) => 2 * pixels + 512 * 1024;
