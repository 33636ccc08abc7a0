/** A miss: read the original, plan within the limits, and run the pipeline (frame by frame for an animation). */
import { CODECS } from '../codecs';
import { probe } from '../codecs/probe';
import type { ImageHeader } from '../codecs/types';
import type { Config } from '../config';
import { animationOf, planAnimation, runAnimation } from '../pipeline/animate';
import { planTransform, runPipeline, type StageTimer } from '../pipeline/run';
import type { ResolvedSpec } from '../spec/transform-spec';
import { digestEtag, variantMeta, type VariantMeta } from '../storage/variants';
import type { Original } from './original';

export interface Transformed {
  output: Uint8Array;
  meta: VariantMeta;
  /** The original's size, from its header: for logs and metrics. */
  inputMegapixels: number;
}

/** How much of a streamed original is read for its header (a PNG's chunks before its pixels). */
const STREAM_HEAD_BYTES = 64 * 1024;
/** What a streamed original holds in memory at once: the runtime's chunks in flight. */
const STREAM_WINDOW_BYTES = 1024 * 1024;

/**
 * The original as its decoder wants it: whole, or — for a decoder that
 * streams — a header from a ranged read, and the stream opened only once
 * the plan is within the limits.
 */
async function readInput({ origin, version, traits }: Original) {
  if (CODECS[traits.format].streamsInput) {
    const header = probe(await origin.readHead(version, STREAM_HEAD_BYTES));
    return { header, inputBytes: STREAM_WINDOW_BYTES, input: () => origin.stream(version), bytes: undefined };
  }
  const bytes = await origin.read(version);
  return { header: probe(bytes), inputBytes: bytes.length, input: async () => bytes, bytes };
}

const megapixels = (header: ImageHeader) => Math.round((header.width * header.height) / 1e4) / 100;

export async function transform(
  original: Original,
  spec: ResolvedSpec,
  config: Config,
  time: StageTimer,
): Promise<Transformed> {
  const { input, header, inputBytes, bytes } = await time('read', () => readInput(original));
  const animation = bytes && animationOf(header, bytes);
  const animated = animation && planAnimation(animation, header, inputBytes, spec, config);
  if (animated && !('firstFrame' in animated)) {
    const output = await runAnimation(animated, time);
    return { output, meta: variantMeta(animated.format, await digestEtag(output)), inputMegapixels: megapixels(header) };
  }
  const plan = planTransform(header, inputBytes, spec, config);
  const output = await runPipeline(await input(), header, plan, time);
  const meta = variantMeta(plan.output.format, await digestEtag(output), plan.output.fallbacks, animated ? 'first-frame' : undefined);
  return { output, meta, inputMegapixels: megapixels(header) };
}
