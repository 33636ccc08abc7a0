/** Replaces colour with its Rec. 601 luma, as Thumbor's grayscale filter does; alpha is kept. */
import { inPlace, type Step } from '../step';

export const grayscale: Step = (input, { spec }) => {
  if (!spec.grayscale) return undefined;
  return inPlace(input, ({ data }) => {
    for (let i = 0; i < data.length; i += 4) {
      const luma = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      data[i] = data[i + 1] = data[i + 2] = luma;
    }
  });
};
