/** For fit=pad: places the scaled image on a canvas of the requested size, filled with the background. */
import type { Step } from '../step';
import { onCanvas } from './canvas';
import { TRANSPARENT } from './pixels';

export const pad: Step = (input, { spec, geometry: { canvas } }) => {
  if (!canvas || (canvas.width === input.width && canvas.height === input.height)) return undefined;
  return onCanvas(input, canvas, spec.background ?? TRANSPARENT);
};
