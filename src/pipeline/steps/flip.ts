/** Mirrors the output (Thumbor's negative sizes); both flips together are a half turn. */
import { MIRROR_HORIZONTAL, MIRROR_VERTICAL, reorient, TURN_180 } from '../orientation';
import { wholePicture, type Step } from '../step';

export const flip: Step = (input, { spec }) => {
  const { flipHorizontal: h, flipVertical: v } = spec;
  if (!h && !v) return undefined;
  return wholePicture(input, input, (image) => reorient(image, h && v ? TURN_180 : h ? MIRROR_HORIZONTAL : MIRROR_VERTICAL));
};
