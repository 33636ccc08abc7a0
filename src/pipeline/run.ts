/**
 * Runs a transformation: plan once from the header, decode no larger than
 * the plan needs, apply the steps in order, encode.
 */
import { CODECS } from '../codecs';
import type { ImageHeader, RgbaImage } from '../codecs/types';
import type { Config } from '../config';
import { corruptImage, ProblemError } from '../errors';
import { assertInputPixels, assertOutputSize } from '../security/limits';
import type { ResolvedSpec } from '../spec/transform-spec';
import { minimumDecodeSize, planGeometry } from './geometry';
import { orientSize } from './orientation';
import type { Step, StepContext } from './step';
import { crop } from './steps/crop';
import { flatten } from './steps/flatten';
import { orient } from './steps/orient';
import { pad } from './steps/pad';
import { resize } from './steps/resize';

/**
 * Orient comes first because geometry is planned on the upright picture;
 * crop precedes resize so only kept pixels are resampled; flatten follows
 * pad so padding gets the same background as transparent pixels.
 */
export const STEPS: readonly Step[] = [orient, crop, resize, pad, flatten];

/** Measures one stage; the caller decides where timings go (Server-Timing). */
export type StageTimer = <T>(stage: string, work: () => Promise<T> | T) => Promise<T>;

/** Checks limits and plans the geometry before any pixel is decoded. */
export function planTransform(header: ImageHeader, spec: ResolvedSpec, config: Config): StepContext {
  assertInputPixels(header, config);
  const source = orientSize(header, header.orientation);
  const geometry = planGeometry(source, spec);
  assertOutputSize(geometry.output, config);
  return { spec, orientation: header.orientation, source, geometry };
}

async function decode(bytes: Uint8Array, header: ImageHeader, context: StepContext): Promise<RgbaImage> {
  // The decoder works in the file's own orientation, so the hint is turned back.
  const min = orientSize(minimumDecodeSize(context.source, context.geometry), header.orientation);
  try {
    return await CODECS[header.format].decode(bytes, { minWidth: min.width, minHeight: min.height });
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    // Emscripten decoders may throw bare numbers or objects: only an Error has a message worth showing.
    const reason = error instanceof Error ? `: ${error.message}` : '.';
    throw corruptImage(`The ${header.format.toUpperCase()} could not be decoded${reason}`);
  }
}

/** Decodes and applies every step: the output's pixels, before encoding. */
export async function renderPixels(
  bytes: Uint8Array,
  header: ImageHeader,
  context: StepContext,
  time: StageTimer,
): Promise<RgbaImage> {
  let image = await time('decode', () => decode(bytes, header, context));
  for (const step of STEPS) {
    const input = image;
    image = await time(step.name, () => step(input, context));
  }
  return image;
}

export async function runPipeline(
  bytes: Uint8Array,
  header: ImageHeader,
  context: StepContext,
  time: StageTimer,
): Promise<ArrayBuffer> {
  const output = await renderPixels(bytes, header, context, time);
  const codec = CODECS[context.spec.format];
  return time('encode', () => codec.encode(output, context.spec.quality ?? codec.defaultQuality));
}
