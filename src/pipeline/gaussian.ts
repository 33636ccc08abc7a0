/**
 * Gaussian blur approximated by three box blurs per axis (by the central
 * limit theorem), so its cost does not grow with sigma. Shared by the blur
 * and sharpen steps.
 */
import type { RgbaImage } from '../codecs/types';

/** Box radius whose three passes have about the variance of a Gaussian with this sigma. */
const boxRadius = (sigma: number) => Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2);

/** One running-sum box pass along rows (step 4) or columns (step = row bytes); edges repeat. */
function boxPass(src: Uint8ClampedArray, out: Uint8ClampedArray, count: number, lines: number, step: number, lineStep: number, r: number) {
  const span = 2 * r + 1;
  const last = count - 1;
  for (let line = 0; line < lines; line++) {
    const base = line * lineStep;
    for (let channel = 0; channel < 4; channel++) {
      const at = (i: number) => src[base + (i < 0 ? 0 : i > last ? last : i) * step + channel]!;
      let sum = 0;
      for (let i = -r; i <= r; i++) sum += at(i);
      for (let i = 0; i < count; i++) {
        out[base + i * step + channel] = sum / span;
        sum += at(i + r + 1) - at(i - r);
      }
    }
  }
}

/** Pictures of the image's size a blur allocates: its result and one ping-pong buffer. */
export const GAUSSIAN_SCRATCH = 2;

/** A blurred copy; the input is left as it was. */
export function gaussianBlur(image: RgbaImage, sigma: number): RgbaImage {
  const { width, height } = image;
  const r = boxRadius(sigma);
  const a = new Uint8ClampedArray(image.data);
  if (r === 0) return { width, height, data: a };
  const b = new Uint8ClampedArray(a.length);
  for (let pass = 0; pass < 3; pass++) {
    boxPass(a, b, width, height, 4, width * 4, r);
    boxPass(b, a, height, width, width * 4, 4, r);
  }
  return { width, height, data: a };
}
