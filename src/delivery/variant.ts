/**
 * Which stored variant a spec names for an original, and storing a new one:
 * the same for a request and for a background job, so a preset made after
 * an upload is exactly the variant its first visitor asks for.
 */
import { resolveFormat } from '../codecs/negotiate';
import type { Config } from '../config';
import type { Env } from '../env';
import { sendJobs } from '../queue/jobs';
import { canonicalize } from '../spec/canonical';
import type { ResolvedSpec, TransformSpec } from '../spec/transform-spec';
import { putVariant, variantKey } from '../storage/variants';
import { findOriginal, type Original } from './original';
import type { Client } from './client-hints';
import type { Transformed } from './transform';

/**
 * What the client accepts settles `format=auto`, and its connection the
 * quality when the spec has one for slow connections. An overlay is named
 * by its original's ETag too, so replacing the overlay makes new variants
 * rather than serving old ones.
 */
export async function resolveVariant(env: Env, config: Config, spec: TransformSpec, key: string, original: Original, client: Client) {
  // compression=fast answers as for a client that accepts neither AVIF nor WebP: JPEG, or PNG.
  const { fastCompression, slowQuality, ...rest } = spec;
  const draw = rest.draw && { ...rest.draw, etag: (await findOriginal(env, rest.draw.key, config)).version.etag };
  const quality = slowQuality !== undefined && client.slowConnection ? slowQuality : rest.quality;
  // An animation asked to stay one negotiates among the formats that keep its frames.
  const traits = { ...original.traits, animated: original.traits.animated === true && spec.anim !== false };
  const format = resolveFormat(spec.format, fastCompression ? null : client.accept, traits);
  const resolved: ResolvedSpec = { ...rest, ...(draw && { draw }), ...(quality !== undefined && { quality }), format };
  return { resolved, storageKey: variantKey(key, original.version.etag, canonicalize(resolved), resolved.format) };
}

/** Stores a variant made at request-path effort and, with OPTIMIZE, asks the queue for its high-effort pass. */
export async function storeVariant(
  env: Env,
  config: Config,
  made: { key: string; original: Original; resolved: ResolvedSpec; storageKey: string; cacheUrl: string },
  { output, meta }: Transformed,
): Promise<void> {
  const { key, original, resolved, storageKey, cacheUrl } = made;
  await putVariant(env.VARIANTS, storageKey, output, meta, key);
  if (!config.optimize) return;
  await sendJobs(env.JOBS, [{ kind: 'optimize', key, etag: original.version.etag, spec: resolved, variant: storageKey, cacheUrl }]);
}
