/** A miss: read the original, plan within the limits, and run the pipeline. */
import { probe } from '../codecs/probe';
import type { Config } from '../config';
import { planTransform, runPipeline, type StageTimer } from '../pipeline/run';
import type { ResolvedSpec } from '../spec/transform-spec';
import { readOriginal, type OriginalRef } from '../storage/originals';
import { digestEtag, variantMeta, type VariantMeta } from '../storage/variants';

export interface Transformed {
  output: Uint8Array;
  meta: VariantMeta;
}

export async function transform(
  bucket: R2Bucket,
  original: OriginalRef,
  spec: ResolvedSpec,
  config: Config,
  time: StageTimer,
): Promise<Transformed> {
  const bytes = await time('read', () => readOriginal(bucket, original, config));
  const header = probe(bytes);
  const plan = planTransform(header, bytes.length, spec, config);
  const output = await runPipeline(bytes, header, plan, time);
  return { output, meta: variantMeta(plan.output.format, await digestEtag(output), plan.output.fallbacks) };
}
