/** Gaussian blur of the output (Thumbor's blur filter). */
import type { RgbaImage } from '../../codecs/types';
import { gaussianBlur } from '../gaussian';
import type { StepContext } from '../step';

export function blur(image: RgbaImage, { spec }: StepContext): RgbaImage {
  if (!spec.blur) return image;
  return gaussianBlur(image, spec.blur);
}
