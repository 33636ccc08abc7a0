/** Applies EXIF orientation after resizing, so it holds and moves as few pixels as possible. */
import { orientSize, reorient } from '../orientation';
import { wholePicture, type Step } from '../step';

export const orient: Step = (input, { orientation }) => {
  if (orientation <= 1 || orientation > 8) return undefined;
  return wholePicture(input, orientSize(input, orientation), (image) => reorient(image, orientation));
};
