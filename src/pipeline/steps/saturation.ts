/** Scales each channel's distance from the pixel's Rec. 601 luma (as grayscale.ts uses): 0 is grey, 2 twice as colourful. */
import { inPlace, type Step } from '../step';

export const saturation: Step = (input, { spec }) => {
  const factor = spec.saturation;
  if (factor === undefined || factor === 1) return undefined;
  return inPlace(input, ({ data }) => {
    for (let i = 0; i < data.length; i += 4) {
      const luma = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      // Uint8ClampedArray rounds and clamps each store.
      data[i] = luma + factor * (data[i]! - luma);
      data[i + 1] = luma + factor * (data[i + 1]! - luma);
      data[i + 2] = luma + factor * (data[i + 2]! - luma);
    }
  });
};
