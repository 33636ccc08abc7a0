/**
 * Runs a transformation: plan once from the header and check what it will
 * cost, decode no larger than the plan needs, apply the steps, encode.
 */
import { CODECS } from '../codecs';
import type { DecodeHint, ImageHeader, RgbaImage, Size } from '../codecs/types';
import type { Config } from '../config';
import { corruptImage, ProblemError } from '../errors';
import { assertInputPixels, assertOutputSize, assertWorkingMemory } from '../security/limits';
import type { ResolvedSpec } from '../spec/transform-spec';
import { estimateCost } from './cost';
import { minimumDecodeSize, planGeometry } from './geometry';
import { orientSize, storedRect } from './orientation';
import type { Step, StepContext } from './step';
import { encodeWithin } from './encode';
import { blur } from './steps/blur';
import { brightness } from './steps/brightness';
import { contrast } from './steps/contrast';
import { crop } from './steps/crop';
import { flatten } from './steps/flatten';
import { flip } from './steps/flip';
import { grayscale } from './steps/grayscale';
import { orient } from './steps/orient';
import { pad } from './steps/pad';
import { resize } from './steps/resize';
import { rotate } from './steps/rotate';
import { sharpen } from './steps/sharpen';
import { shrink } from './steps/shrink';

/**
 * Crop precedes the resampling so only kept pixels are touched; the box
 * shrink precedes Lanczos to hand it a small image; orient runs after both,
 * on the smallest image (geometry was planned upright and mapped back);
 * pad, flip and rotate work on the upright output (the planned canvas is
 * upright); the effects (Thumbor's filters) follow in one fixed order so
 * equal specs give equal bytes; flatten is last so padding and effects get
 * the same background as transparent pixels.
 */
export const STEPS: readonly Step[] = [
  crop, shrink, resize, orient, pad, flip, rotate, grayscale, brightness, contrast, blur, sharpen, flatten,
];

/** Measures one stage; the caller decides where timings go (Server-Timing). */
export type StageTimer = <T>(stage: string, work: () => Promise<T> | T) => Promise<T>;

export interface TransformPlan {
  context: StepContext;
  hint: DecodeHint;
}

/** Geometry for a stored image of `storedSource`, upright and in the file's own frame. */
function planSteps(storedSource: Size, orientation: number, spec: ResolvedSpec): StepContext {
  const geometry = planGeometry(orientSize(storedSource, orientation), spec);
  const stored = {
    source: storedSource,
    region: storedRect(geometry.region, orientation, storedSource),
    scaled: orientSize(geometry.scaled, orientation),
  };
  return { spec, orientation, geometry, stored };
}

/** Checks every limit and plans the work before any pixel is decoded. */
export function planTransform(header: ImageHeader, inputBytes: number, spec: ResolvedSpec, config: Config): TransformPlan {
  assertInputPixels(header, config);
  const context = planSteps({ width: header.width, height: header.height }, header.orientation, spec);
  assertOutputSize(context.geometry.output, config);
  // The decoder works in the file's own frame, so the hint comes from the stored plan.
  const min = minimumDecodeSize(context.stored.source, context.stored);
  const hint = { minWidth: min.width, minHeight: min.height };
  const cost = estimateCost(header, inputBytes, hint, context);
  const why = `${header.width}×${header.height}${header.progressive ? ' progressive' : ''} ${header.format.toUpperCase()} decoded at ${cost.decoded.width}×${cost.decoded.height}`;
  assertWorkingMemory(cost.peakBytes, why, config);
  return { context, hint };
}

async function decode(bytes: Uint8Array, header: ImageHeader, hint: DecodeHint): Promise<RgbaImage> {
  try {
    return await CODECS[header.format].decode(bytes, hint);
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    // Emscripten decoders may throw bare numbers or objects: only an Error has a message worth showing.
    const reason = error instanceof Error ? `: ${error.message}` : '.';
    throw corruptImage(`The ${header.format.toUpperCase()} could not be decoded${reason}`);
  }
}

/**
 * The decoder has the last word on size: a header may describe a different
 * item than the one decoded (an AVIF grid, say). Shrink-on-load keeps the
 * aspect ratio up to a pixel of rounding.
 */
const sameShape = (image: Size, header: Size) =>
  Math.abs(image.width / image.height - header.width / header.height) <= 1 / Math.min(image.width, image.height);

/** Decodes and applies every step: the output's pixels, before encoding. */
export async function renderPixels(
  bytes: Uint8Array,
  header: ImageHeader,
  plan: TransformPlan,
  time: StageTimer,
): Promise<RgbaImage> {
  const { hint } = plan;
  let image = await time('decode', () => decode(bytes, header, hint));
  const context = sameShape(image, header) ? plan.context : planSteps({ width: image.width, height: image.height }, header.orientation, plan.context.spec);
  for (const step of STEPS) {
    const input = image;
    image = await time(step.name, () => step(input, context));
  }
  return image;
}

export async function runPipeline(
  bytes: Uint8Array,
  header: ImageHeader,
  plan: TransformPlan,
  time: StageTimer,
): Promise<ArrayBuffer> {
  const output = await renderPixels(bytes, header, plan, time);
  return time('encode', () => encodeWithin(CODECS[plan.context.spec.format], output, plan.context.spec));
}
