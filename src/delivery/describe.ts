/**
 * The facts about an original: from its custom metadata when the API stored
 * it in R2 (one HEAD), otherwise computed from its bytes — for originals put
 * there by other means, and those of other origins. Those are not written
 * back: a rewrite would change the ETag and orphan every variant. And what
 * a spec would make of it, planned from the header without decoding it.
 */
import type { Config } from '../config';
import type { Env } from '../env';
import { notFound } from '../errors';
import { fromCustomMetadata } from '../metadata/custom-metadata';
import { describeImage, type ImageFacts } from '../metadata/describe';
import { originFor } from '../storage/origins';
import { MIME_TYPES } from '../lib/formats';
import type { TransformSpec } from '../spec/transform-spec';
import type { Client } from './client-hints';
import { findOriginal, readWholeOriginal } from './original';
import { planFor } from './transform';
import { resolveVariant } from './variant';

export interface DescribedOriginal {
  key: string;
  facts: ImageFacts;
  uploaded: Date;
  etag: string;
}

export async function describeOriginal(env: Env, key: string, config: Config): Promise<DescribedOriginal> {
  if (originFor(env, config, key).kind === 'r2') {
    const head = await env.ORIGINALS.head(key);
    if (!head) throw notFound(`No original at key "${key}".`);
    const stored = fromCustomMetadata(head.customMetadata, head.size);
    if (stored) return { key, facts: stored, uploaded: head.uploaded, etag: head.etag };
  }
  const { original, bytes } = await readWholeOriginal(env, key, config);
  return { key, facts: await describeImage(bytes, config), uploaded: original.version.uploaded, etag: original.version.etag };
}

/** The output `spec` gives for a client sending `accept`: its size, format and fallbacks, as planned (413 when it cannot be made). */
export async function describeOutput(env: Env, key: string, spec: TransformSpec, client: Client, config: Config) {
  const original = await findOriginal(env, key, config);
  const { resolved } = await resolveVariant(env, config, spec, key, original, client);
  const { output } = (await planFor(env, original, resolved, config)).plan;
  return {
    width: output.size.width,
    height: output.size.height,
    format: output.format,
    contentType: MIME_TYPES[output.format],
    ...(output.fallbacks.length > 0 && { fallback: output.fallbacks.join(', ') }),
  };
}
