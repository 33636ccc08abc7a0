/** Unsharp mask: adds back `amount` times what a blur of sigma `radius` takes away. */
import type { RgbaImage } from '../../codecs/types';
import { gaussianBlur } from '../gaussian';
import type { StepContext } from '../step';

export function sharpen(image: RgbaImage, { spec }: StepContext): RgbaImage {
  if (!spec.sharpen?.amount || !spec.sharpen.radius) return image;
  const { amount, radius } = spec.sharpen;
  const blurred = gaussianBlur(image, radius).data;
  const data = image.data;
  for (let i = 0; i < data.length; i++) {
    if ((i & 3) === 3) continue; // alpha stays
    data[i] = data[i]! + amount * (data[i]! - blurred[i]!);
  }
  return image;
}
