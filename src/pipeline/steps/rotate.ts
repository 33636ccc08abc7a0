/** Turns the output by quarter turns, clockwise. */
import type { RgbaImage } from '../../codecs/types';
import { reorient, TURN_180, TURN_270, TURN_90 } from '../orientation';
import type { StepContext } from '../step';

const ORIENTATION = { 90: TURN_90, 180: TURN_180, 270: TURN_270 } as const;

export function rotate(image: RgbaImage, { spec }: StepContext): RgbaImage {
  if (!spec.rotate) return image;
  return reorient(image, ORIENTATION[spec.rotate]);
}
