/** Applies EXIF orientation; it runs after resizing, so it moves as few pixels as possible. */
import type { RgbaImage } from '../../codecs/types';
import { reorient } from '../orientation';
import type { StepContext } from '../step';

export function orient(image: RgbaImage, { orientation }: StepContext): RgbaImage {
  return reorient(image, orientation);
}
