/** Applies EXIF orientation, so every later step sees the upright picture. */
import type { RgbaImage } from '../../codecs/types';
import { reorient } from '../orientation';
import type { StepContext } from '../step';

export function orient(image: RgbaImage, { orientation }: StepContext): RgbaImage {
  return reorient(image, orientation);
}
