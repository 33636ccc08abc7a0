/**
 * Box pre-shrink by a whole factor, to about twice the target, before the
 * Lanczos pass: averaging f×f blocks in one linear sweep is far cheaper than
 * a wide Lanczos kernel. Like libvips' shrink before reduce. It streams:
 * f input rows in, one output row out.
 */
import { BOX_SHRINK_HEADROOM } from '../../codecs/codec';
import type { Step } from '../step';

export const shrink: Step = (input, { stored: { scaled } }) => {
  const factor = Math.floor(Math.min(input.width / scaled.width, input.height / scaled.height) / BOX_SHRINK_HEADROOM);
  if (factor < 2) return undefined;
  const width = Math.ceil(input.width / factor);
  const height = Math.ceil(input.height / factor);
  return {
    output: { width, height },
    memory: width * 4 * (8 + 1) + width * 4,
    connect(next) {
      // Per output column: alpha-weighted colour sums and plain alpha sums, for the output row being gathered.
      const sums = new Float64Array(width * 4);
      const counts = new Uint32Array(width);
      const row = new Uint8ClampedArray(width * 4);
      const rowBytes = new Uint8Array(row.buffer);
      let y = 0;
      let gathered = 0;
      const emit = () => {
        for (let ox = 0, o = 0; ox < width; ox++, o += 4) {
          const alpha = sums[o + 3]!;
          // Weighting by alpha keeps transparent pixels' colour from bleeding into edges.
          if (alpha > 0) {
            row[o] = sums[o]! / alpha;
            row[o + 1] = sums[o + 1]! / alpha;
            row[o + 2] = sums[o + 2]! / alpha;
          } else {
            row[o] = row[o + 1] = row[o + 2] = 0;
          }
          row[o + 3] = alpha / counts[ox]!;
        }
        next.write(rowBytes, 1);
        sums.fill(0);
        counts.fill(0);
        gathered = 0;
      };
      return {
        write(band, count) {
          for (let r = 0; r < count; r++, y++) {
            for (let x = 0, i = r * input.width * 4; x < input.width; x++, i += 4) {
              const o = ((x / factor) | 0) * 4;
              const a = band[i + 3]!;
              sums[o] = sums[o]! + band[i]! * a;
              sums[o + 1] = sums[o + 1]! + band[i + 1]! * a;
              sums[o + 2] = sums[o + 2]! + band[i + 2]! * a;
              sums[o + 3] = sums[o + 3]! + a;
              counts[o >> 2]!++;
            }
            if (++gathered === factor || y === input.height - 1) emit();
          }
        },
        close: () => next.close(),
        abort: () => next.abort(),
      };
    },
  };
};
