/** Gaussian blur of the output (Thumbor's blur filter): it needs whole columns, so the whole output. */
import { GAUSSIAN_SCRATCH, gaussianBlur } from '../gaussian';
import { wholePicture, type Step } from '../step';

export const blur: Step = (input, { spec }) => {
  const sigma = spec.blur;
  if (!sigma) return undefined;
  return wholePicture(input, input, (image) => gaussianBlur(image, sigma), GAUSSIAN_SCRATCH);
};
