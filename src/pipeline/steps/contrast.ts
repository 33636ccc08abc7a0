/** Stretches or flattens colour channels around mid-grey (the usual 259/255 contrast curve). */
import type { RgbaImage } from '../../codecs/types';
import type { StepContext } from '../step';
import { mapChannels } from './pixels';

export function contrast(image: RgbaImage, { spec }: StepContext): RgbaImage {
  if (!spec.contrast) return image;
  // -100…100 maps to -255…255, the range the curve is defined on (at 255 it is a threshold).
  const c = Math.min(254, (spec.contrast * 255) / 100);
  const factor = (259 * (c + 255)) / (255 * (259 - c));
  mapChannels(image.data, (value) => factor * (value - 128) + 128);
  return image;
}
