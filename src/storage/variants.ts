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
import { dayOf } from './variant-lifecycle';

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
  return { body: object.body, size: object.size, meta, etag: object.etag, accessed: object.customMetadata?.accessed };
}

export async function hasVariant(bucket: R2Bucket, key: string): Promise<boolean> {
  return (await r2('variant head', () => bucket.head(key))) !== null;
}

/** One page of an original's variants as R2 lists them, with what each records. */
export async function listVariants(bucket: R2Bucket, originalKey: string, cursor: string | undefined, limit: number) {
  const page = await r2('variant list', () => bucket.list({ prefix: variantPrefix(originalKey), cursor, limit, include: ['customMetadata', 'httpMetadata'] }));
  const variants = page.objects.map((object) => {
    const meta = object.customMetadata ?? {};
    return {
      key: object.key,
      contentType: object.httpMetadata?.contentType,
      bytes: object.size,
      uploaded: object.uploaded.toISOString(),
      accessed: meta.accessed,
      fallback: meta.fallback,
      optimized: meta.optimized === undefined ? undefined : (JSON.parse(meta.optimized) as OptimizedNote),
    };
  });
  return { variants, cursor: page.truncated ? page.cursor : undefined };
}

/** How many variants of `originalKey` R2 holds, counting up to `atMost` (one list call). */
export async function countVariants(bucket: R2Bucket, originalKey: string, atMost: number): Promise<number> {
  return (await r2('variant list', () => bucket.list({ prefix: variantPrefix(originalKey), limit: atMost }))).objects.length;
}

/** What an optimize pass changed, kept in the variant's metadata. */
export interface OptimizedNote {
  /** Bytes of the request-path file it replaced. */
  before: number;
  /** The quality metric (e.g. `ssim`) of the fast and of the optimized file. */
  metric: string;
  fast: number;
  optimized: number;
}

interface PutOptions {
  optimized?: OptimizedNote;
  /** Replace only the object with this R2 ETag (an optimize pass never overwrites what it did not read). */
  replacing?: string;
}

/**
 * A single R2 put is atomic: readers see the whole variant or none. The
 * variant's `accessed` day starts as the day it is written (see
 * variant-lifecycle.ts). Null when `replacing` no longer matched.
 */
export function putVariant(bucket: R2Bucket, key: string, bytes: Uint8Array, meta: VariantMeta, original: string, options: PutOptions = {}) {
  const { optimized, replacing } = options;
  return bucket.put(key, bytes, {
    httpMetadata: { contentType: meta.contentType },
    customMetadata: {
      etag: meta.etag,
      original,
      accessed: dayOf(Date.now()),
      ...(meta.fallback && { fallback: meta.fallback }),
      ...(meta.animation && { animation: meta.animation }),
      ...(optimized && { optimized: JSON.stringify(optimized) }),
    },
    ...(replacing && { onlyIf: { etagMatches: replacing } }),
  });
}
