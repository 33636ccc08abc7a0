/** The one rule for a width or height a URL asks for, whichever dialect spells it. */
import { invalidOptions } from '../errors';

/** Refuses (400) a side over MAX_OUTPUT_DIMENSION; `spelled` is how the URL wrote it (e.g. `width=800 at dpr=2`). */
export function assertRequestedSide(spelled: string, pixels: number, maxOutputDimension: number): void {
  if (pixels > maxOutputDimension) {
    throw invalidOptions(`${spelled} exceeds the maximum output dimension of ${maxOutputDimension} pixels.`);
  }
}
