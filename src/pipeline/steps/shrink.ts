/**
 * Box pre-shrink by a whole factor, to about twice the target, before the
 * Lanczos pass: averaging f×f blocks in one linear sweep is far cheaper than
 * a wide Lanczos kernel, and the resizer (which copies its input into WASM)
 * then sees a small image. Like libvips' shrink before reduce.
 */
import type { RgbaImage } from '../../codecs/types';
import type { StepContext } from '../step';

/** Leave at least this much shrinking to Lanczos, which does it without aliasing. */
const LANCZOS_SHARE = 2;

export function shrink(image: RgbaImage, { stored: { scaled } }: StepContext): RgbaImage {
  const factor = Math.floor(Math.min(image.width / scaled.width, image.height / scaled.height) / LANCZOS_SHARE);
  if (factor < 2) return image;
  const width = Math.ceil(image.width / factor);
  const height = Math.ceil(image.height / factor);
  const src = image.data;
  const out = new Uint8ClampedArray(width * height * 4);
  // Per output column: alpha-weighted colour sums and plain alpha sums, for one output row at a time.
  const sums = new Float64Array(width * 4);
  const counts = new Uint32Array(width);
  for (let oy = 0; oy < height; oy++) {
    sums.fill(0);
    counts.fill(0);
    const yEnd = Math.min(image.height, (oy + 1) * factor);
    for (let y = oy * factor; y < yEnd; y++) {
      let i = y * image.width * 4;
      for (let x = 0; x < image.width; x++, i += 4) {
        const o = ((x / factor) | 0) * 4;
        const a = src[i + 3]!;
        sums[o] = sums[o]! + src[i]! * a;
        sums[o + 1] = sums[o + 1]! + src[i + 1]! * a;
        sums[o + 2] = sums[o + 2]! + src[i + 2]! * a;
        sums[o + 3] = sums[o + 3]! + a;
        counts[o >> 2]!++;
      }
    }
    for (let ox = 0, o = oy * width * 4; ox < width; ox++, o += 4) {
      const alpha = sums[ox * 4 + 3]!;
      // Weighting by alpha keeps transparent pixels' colour from bleeding into edges.
      if (alpha > 0) {
        out[o] = sums[ox * 4]! / alpha;
        out[o + 1] = sums[ox * 4 + 1]! / alpha;
        out[o + 2] = sums[ox * 4 + 2]! / alpha;
      }
      out[o + 3] = alpha / counts[ox]!;
    }
  }
  return { width, height, data: out };
}
