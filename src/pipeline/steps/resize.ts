/** Scales to the planned size with Lanczos3 (premultiplied, like sharp), row by row. */
import { lanczos3Memory, lanczos3Rows } from '../resample';
import type { Step } from '../step';

export const resize: Step = (input, { stored: { scaled } }) => {
  if (input.width === scaled.width && input.height === scaled.height) return undefined;
  return { output: scaled, memory: lanczos3Memory(input, scaled), connect: (next) => lanczos3Rows(input, scaled, next) };
};
