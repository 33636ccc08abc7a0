/** Turns the output by quarter turns, clockwise. */
import { orientSize, reorient, TURN_180, TURN_270, TURN_90 } from '../orientation';
import { wholePicture, type Step } from '../step';

const ORIENTATION = { 90: TURN_90, 180: TURN_180, 270: TURN_270 } as const;

export const rotate: Step = (input, { spec }) => {
  if (!spec.rotate) return undefined;
  const orientation = ORIENTATION[spec.rotate];
  return wholePicture(input, orientSize(input, orientation), (image) => reorient(image, orientation));
};
