/** Unsharp mask: adds back `amount` times what a blur of sigma `radius` takes away. */
import type { RgbaImage } from '../../codecs/types';
import { GAUSSIAN_SCRATCH, gaussianBlur } from '../gaussian';
import { wholePicture, type Step } from '../step';

function unsharp(image: RgbaImage, amount: number, radius: number): RgbaImage {
  const blurred = gaussianBlur(image, radius).data;
  const data = image.data;
  for (let i = 0; i < data.length; i++) {
    if ((i & 3) === 3) continue; // alpha stays
    data[i] = data[i]! + amount * (data[i]! - blurred[i]!);
  }
  return image;
}

export const sharpen: Step = (input, { spec }) => {
  if (!spec.sharpen?.amount || !spec.sharpen.radius) return undefined;
  const { amount, radius } = spec.sharpen;
  return wholePicture(input, input, (image) => unsharp(image, amount, radius), GAUSSIAN_SCRATCH);
};
