/** Replaces colour with its Rec. 601 luma, as Thumbor's grayscale filter does; alpha is kept. */
import type { RgbaImage } from '../../codecs/types';
import type { StepContext } from '../step';

export function grayscale(image: RgbaImage, { spec }: StepContext): RgbaImage {
  if (!spec.grayscale) return image;
  const data = image.data;
  for (let i = 0; i < data.length; i += 4) {
    const luma = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    data[i] = data[i + 1] = data[i + 2] = luma;
  }
  return image;
}
