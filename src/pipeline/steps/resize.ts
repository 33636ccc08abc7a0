/** Scales to the planned size with Lanczos3 (premultiplied, like sharp). */
import { resizeRgba } from '../../codecs/resize';
import type { RgbaImage } from '../../codecs/types';
import type { StepContext } from '../step';

export function resize(image: RgbaImage, { stored: { scaled } }: StepContext): RgbaImage | Promise<RgbaImage> {
  if (image.width === scaled.width && image.height === scaled.height) return image;
  return resizeRgba(image, scaled);
}
