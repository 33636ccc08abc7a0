/** Mirrors the output (Thumbor's negative sizes); both flips together are a half turn. */
import type { RgbaImage } from '../../codecs/types';
import { MIRROR_HORIZONTAL, MIRROR_VERTICAL, reorient, TURN_180 } from '../orientation';
import type { StepContext } from '../step';

export function flip(image: RgbaImage, { spec }: StepContext): RgbaImage {
  const { flipHorizontal: h, flipVertical: v } = spec;
  if (!h && !v) return image;
  return reorient(image, h && v ? TURN_180 : h ? MIRROR_HORIZONTAL : MIRROR_VERTICAL);
}
