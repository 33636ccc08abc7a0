/** Undoes PNG's per-row filters (spec §9) in place, given the previous unfiltered row (zeros above the first). */
import { PngError } from './errors';

/**
 * `row` is the filtered bytes without the filter byte; `prev` the row above,
 * already unfiltered, of the same length; `bpp` bytes per complete pixel (at
 * least 1). Sub, Average and Paeth run one channel at a time so the left and
 * upper-left neighbours stay in locals.
 */
export function unfilter(filter: number, row: Uint8Array, prev: Uint8Array, bpp: number): void {
  const n = row.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let ch = 0; ch < bpp; ch++) {
        let a = 0;
        for (let i = ch; i < n; i += bpp) row[i] = a = (row[i]! + a) & 0xff;
      }
      return;
    case 2:
      for (let i = 0; i < n; i++) row[i] = row[i]! + prev[i]!;
      return;
    case 3:
      for (let ch = 0; ch < bpp; ch++) {
        let a = 0;
        for (let i = ch; i < n; i += bpp) row[i] = a = (row[i]! + ((a + prev[i]!) >> 1)) & 0xff;
      }
      return;
    case 4:
      for (let ch = 0; ch < bpp; ch++) {
        let a = 0;
        let c = 0;
        for (let i = ch; i < n; i += bpp) {
          const b = prev[i]!;
          row[i] = a = (row[i]! + paeth(a, b, c)) & 0xff;
          c = b;
        }
      }
      return;
    default:
      throw new PngError(`row filter type ${filter} is not 0–4`);
  }
}

/**
 * The Paeth predictor without branches: photos make its three-way choice
 * unpredictable, and mispredictions cost more than the arithmetic (2–3× on noise).
 */
export function paeth(a: number, b: number, c: number): number {
  const p = b - c;
  const q = a - c;
  const pa = Math.abs(p);
  const pb = Math.abs(q);
  const pc = Math.abs(p + q);
  // -1 when b or c is nearer than a; then -1 when c is nearer than b.
  const notA = ((pb - pa) | (pc - pa)) >> 31;
  const bOrC = b ^ ((b ^ c) & ((pc - pb) >> 31));
  return a ^ ((a ^ bOrC) & notA);
}
