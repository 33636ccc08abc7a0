/**
 * The metric the optimize pass judges a re-encode by: SSIM of luma and of
 * chroma at half size, averaged — luma counting as much as both chroma
 * planes together. Cheap enough to run once per candidate in the worker,
 * where butteraugli (the bench's judge) is not; luma alone ranks MozJPEG's
 * tuned tables below libjpeg's standard ones where butteraugli ranks them
 * above, because it misses the chroma they keep better (measured against
 * butteraugli on the fixture photos; see `npm run bench:compression`).
 * The reference's planes are made once and each candidate's compared with
 * them.
 *
 * Written here rather than taken from ssim.js: that one converts and
 * downsamples both pictures again on every call through plain arrays of
 * doubles (~600 ms for the luma of a 1.3 MP pair in Node), where this keeps
 * three Float32 planes at quarter size a picture (89 ms for all three of
 * the same pair). Windows are 8×8 samples at a stride of 4, unweighted (Wang et
 * al. 2004 used 8×8 windows before the Gaussian); C1 and C2 are the paper's.
 */
import type { RgbaImage } from '../codecs/types';

/** Y, Cb and Cr (BT.601, full range) of a picture, each `factor`×`factor` block averaged into one sample. */
export interface ColourPlanes {
  width: number;
  height: number;
  y: Float32Array;
  cb: Float32Array;
  cr: Float32Array;
}

const WINDOW = 8;
const STRIDE = 4;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** The planes of straight RGB (alpha is ignored). */
export function colourPlanes(image: RgbaImage, factor: number): ColourPlanes {
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const [y, cb, cr] = [new Float32Array(width * height), new Float32Array(width * height), new Float32Array(width * height)];
  const rgba = image.data;
  const scale = 1 / (factor * factor);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < factor; dy++) {
        let i = ((row * factor + dy) * image.width + column * factor) * 4;
        for (let dx = 0; dx < factor; dx++, i += 4) {
          r += rgba[i]!;
          g += rgba[i + 1]!;
          b += rgba[i + 2]!;
        }
      }
      const at = row * width + column;
      r *= scale;
      g *= scale;
      b *= scale;
      y[at] = 0.299 * r + 0.587 * g + 0.114 * b;
      cb[at] = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
      cr[at] = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
    }
  }
  return { width, height, y, cb, cr };
}

/** Mean SSIM of one plane of two pictures of `width`×`height` samples (1 = identical). */
function planeSsim(a: Float32Array, b: Float32Array, width: number, height: number): number {
  if (width < WINDOW || height < WINDOW) return a.every((value, i) => value === b[i]) ? 1 : 0;
  const n = WINDOW * WINDOW;
  let total = 0;
  let windows = 0;
  for (let y = 0; y + WINDOW <= height; y += STRIDE) {
    for (let x = 0; x + WINDOW <= width; x += STRIDE) {
      let sa = 0;
      let sb = 0;
      let saa = 0;
      let sbb = 0;
      let sab = 0;
      for (let wy = 0; wy < WINDOW; wy++) {
        const row = (y + wy) * width + x;
        for (let wx = 0; wx < WINDOW; wx++) {
          const pa = a[row + wx]!;
          const pb = b[row + wx]!;
          sa += pa;
          sb += pb;
          saa += pa * pa;
          sbb += pb * pb;
          sab += pa * pb;
        }
      }
      const ma = sa / n;
      const mb = sb / n;
      const cov = sab / n - ma * mb;
      const variances = saa / n - ma * ma + (sbb / n - mb * mb);
      total += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (variances + C2));
      windows++;
    }
  }
  return total / windows;
}

/** The metric (1 = identical): the mean of luma's SSIM and chroma's (the mean of Cb's and Cr's). */
export function similarity(a: ColourPlanes, b: ColourPlanes): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`similarity: ${a.width}×${a.height} against ${b.width}×${b.height}`);
  const ssim = (plane: 'y' | 'cb' | 'cr') => planeSsim(a[plane], b[plane], a.width, a.height);
  return (ssim('y') + (ssim('cb') + ssim('cr')) / 2) / 2;
}
