/** Adds a percentage of full scale to every colour channel (Thumbor's brightness filter). */
import type { RgbaImage } from '../../codecs/types';
import type { StepContext } from '../step';
import { mapChannels } from './pixels';

export function brightness(image: RgbaImage, { spec }: StepContext): RgbaImage {
  if (!spec.brightness) return image;
  const offset = (spec.brightness * 255) / 100;
  mapChannels(image.data, (value) => value + offset);
  return image;
}
