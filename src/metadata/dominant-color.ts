/**
 * The dominant colour: the most populated cell of a 16×16×16 RGB histogram,
 * averaged over the pixels in it. Unlike the mean, a red apple on white stays
 * white or red, never pink. Mostly transparent pixels do not vote.
 */
import type { RgbaImage } from '../codecs/types';
import { hexByte } from '../lib/hex';

const mean = (sum: number, n: number) => hexByte(Math.round(sum / n));

/** `#rrggbb`, or undefined when every pixel is (nearly) transparent. */
export function dominantColor({ data }: RgbaImage): string | undefined {
  const counts = new Uint32Array(4096);
  const sums = new Float64Array(4096 * 3);
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3]! < 128) continue;
    const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!;
    const cell = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
    counts[cell]!++;
    const at = cell * 3;
    sums.set([sums[at]! + r, sums[at + 1]! + g, sums[at + 2]! + b], at);
  }
  let best = -1;
  for (let cell = 0, most = 0; cell < counts.length; cell++) {
    if (counts[cell]! > most) [best, most] = [cell, counts[cell]!];
  }
  if (best < 0) return undefined;
  const n = counts[best]!;
  return `#${mean(sums[best * 3]!, n)}${mean(sums[best * 3 + 1]!, n)}${mean(sums[best * 3 + 2]!, n)}`;
}
