/** A border of one colour around the finished picture (Cloudflare's border): after every other step but flatten. */
import type { Step } from '../step';
import { onCanvas } from './canvas';

export const border: Step = (input, { spec }) => {
  const frame = spec.border;
  if (!frame || frame.top + frame.right + frame.bottom + frame.left === 0) return undefined;
  const canvas = { x: frame.left, y: frame.top, width: input.width + frame.left + frame.right, height: input.height + frame.top + frame.bottom };
  return onCanvas(input, canvas, frame.color);
};
