/**
 * Generated variants in R2, keyed by what determines their bytes: the
 * original's key and ETag and the canonical transformation. Replacing an
 * original changes its ETag, so a stale variant is never found again.
 */
import { FILE_EXTENSIONS, MIME_TYPES } from '../lib/formats';
import { logError } from '../lib/log';
import { r2 } from '../lib/r2';
import { sha256Hex } from '../lib/sha256';
import type { OutputFormat } from '../spec/transform-spec';

export interface VariantMeta {
  contentType: string;
  /** Strong validator: a digest of the variant's bytes. */
  etag: string;
  /** What the encoder did instead of what was asked (`avif>webp`, `jpeg-baseline`), comma-separated; sent as X-Edgepix-Fallback. */
  fallback?: string;
  /** `first-frame` when an animated original was served as its first frame alone; sent as X-Edgepix-Animation. */
  animation?: 'first-frame';
}

/** All variants of one original share the prefix `<encoded key>/`, so they can be listed and purged. */
export const variantPrefix = (originalKey: string) => `${encodeURIComponent(originalKey)}/`;

export const variantKey = (originalKey: string, originalEtag: string, canonical: string, format: OutputFormat) =>
  `${variantPrefix(originalKey)}${originalEtag}/${canonical}.${FILE_EXTENSIONS[format]}`;

/** The first 128 bits of the output's SHA-256, quoted as an ETag. */
export async function digestEtag(bytes: Uint8Array): Promise<string> {
  return `"${(await sha256Hex(bytes)).slice(0, 32)}"`;
}

export function variantMeta(format: OutputFormat, etag: string, fallbacks: readonly string[] = [], animation?: 'first-frame'): VariantMeta {
  return { contentType: MIME_TYPES[format], etag, ...(fallbacks.length > 0 && { fallback: fallbacks.join(', ') }), ...(animation && { animation }) };
}

/** Undefined when there is none — or when R2 fails to say (logged): the variant is then made again. */
export async function getVariant(bucket: R2Bucket, key: string) {
  const object = await bucket.get(key).catch((error: unknown) => logError('variant-read-failed', error, { variant: key }));
  if (!object) return undefined;
  const etag = object.customMetadata?.etag ?? object.httpEtag;
  const fallback = object.customMetadata?.fallback;
  const animation = object.customMetadata?.animation === 'first-frame' ? 'first-frame' : undefined;
  const meta: VariantMeta = {
    contentType: object.httpMetadata?.contentType ?? 'application/octet-stream',
    etag,
    ...(fallback && { fallback }),
    ...(animation && { animation }),
  };
  return { body: object.body, size: object.size, meta };
}

/** How many variants of `originalKey` R2 holds, counting up to `atMost` (one list call). */
export async function countVariants(bucket: R2Bucket, originalKey: string, atMost: number): Promise<number> {
  return (await r2('variant list', () => bucket.list({ prefix: variantPrefix(originalKey), limit: atMost }))).objects.length;
}

/** A single R2 put is atomic: readers see the whole variant or none. */
export function putVariant(bucket: R2Bucket, key: string, bytes: Uint8Array, meta: VariantMeta, original: string) {
  return bucket.put(key, bytes, {
    httpMetadata: { contentType: meta.contentType },
    customMetadata: { etag: meta.etag, original, ...(meta.fallback && { fallback: meta.fallback }), ...(meta.animation && { animation: meta.animation }) },
  });
}
