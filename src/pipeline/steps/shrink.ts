/**
 * Box pre-shrink by a whole factor, to about twice the target, before the
 * Lanczos pass: averaging f×f blocks in one linear sweep is far cheaper than
 * a wide Lanczos kernel. Like libvips' shrink before reduce. It streams
 * (f input rows in, one output row out), in WASM (../resample).
 */
import { BOX_SHRINK_HEADROOM, boxShrunk } from '../../codecs/codec';
import { initCodecs } from '../../codecs/codecs-wasm';
import { boxShrinkMemory, boxShrinkRows } from '../resample/index';
import type { Step } from '../step';

export const shrink: Step = (input, { unoriented: { scaled } }) => {
  const factor = Math.floor(Math.min(input.width / scaled.width, input.height / scaled.height) / BOX_SHRINK_HEADROOM);
  if (factor < 2) return undefined;
  initCodecs();
  return {
    output: boxShrunk(input, factor),
    memory: boxShrinkMemory(input, factor),
    connect: (next) => boxShrinkRows(input, factor, next),
  };
};
