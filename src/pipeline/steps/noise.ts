/**
 * Thumbor's noise: up to `noise` percent of full scale added to or taken
 * from each channel. The noise comes from a hash of the pixel's position,
 * not a random source, so equal specs still give equal bytes.
 */
import { inPlace, type Step } from '../step';

/** A well-mixed 32-bit hash (the finaliser of MurmurHash3) of an integer, as 0–1. */
function hash(n: number): number {
  let h = n | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 0xffffffff;
}

export const noise: Step = (input, { spec }) => {
  if (!spec.noise) return undefined;
  const amplitude = (spec.noise * 255) / 100;
  let offset = 0;
  return inPlace(input, ({ data }) => {
    for (let i = 0; i < data.length; i++) {
      if ((i & 3) !== 3) data[i] = data[i]! + amplitude * (2 * hash(offset + i) - 1);
    }
    offset += data.length;
  });
};
