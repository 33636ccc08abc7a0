/**
 * Writes originals that arrive through the API. One R2 put carries the bytes
 * and all their metadata, so an original is either fully there, described,
 * or absent. "Create" writes are conditional (If-None-Match: *), so of two
 * concurrent writers to one key exactly one wins and the other learns it.
 */
import { FILE_EXTENSIONS } from '../codecs';
import { conflict } from '../errors';
import { toCustomMetadata } from '../metadata/custom-metadata';
import { contentTypeOf, type ImageFacts } from '../metadata/describe';
import { validateKey } from './keys';
import { forgetOriginal } from './original-memo';

export interface UploadTarget {
  /** Explicit key; without it the key is `<prefix>/<sha256>.<ext>`. */
  key?: string;
  prefix?: string;
  overwrite: boolean;
}

export interface StoredUpload {
  key: string;
  /** Content-addressed key whose object already held these bytes: nothing was written. */
  deduplicated: boolean;
  uploaded: Date;
  etag: string;
}

export function contentAddressedKey(facts: Pick<ImageFacts, 'sha256' | 'format'>, prefix?: string): string {
  const name = `${facts.sha256}.${FILE_EXTENSIONS[facts.format]}`;
  return validateKey(prefix ? `${prefix}/${name}` : name);
}

/** The key an upload lands at: the explicit one, or one named by its content. */
export const targetKey = (target: UploadTarget, facts: ImageFacts) =>
  target.key ?? contentAddressedKey(facts, target.prefix);

export async function writeOriginal(
  bucket: R2Bucket,
  bytes: Uint8Array,
  facts: ImageFacts,
  target: UploadTarget,
): Promise<StoredUpload> {
  const key = targetKey(target, facts);
  const written = await bucket.put(key, bytes, {
    httpMetadata: { contentType: contentTypeOf(facts) },
    customMetadata: toCustomMetadata(facts),
    // No `sha256` integrity option: the bytes come from our own memory, and miniflare's
    // local R2 intermittently fails such puts with an internal assertion (500) under load.
    onlyIf: target.overwrite ? undefined : new Headers({ 'If-None-Match': '*' }),
  });
  if (written) {
    forgetOriginal(key);
    return { key, deduplicated: false, uploaded: written.uploaded, etag: written.etag };
  }
  // Taken. At a content-addressed key the same bytes are a duplicate (also when two identical
  // uploads race); an explicit key, or a hash-named object with other bytes, is a conflict.
  const existing = await bucket.head(key);
  if (target.key === undefined && existing?.customMetadata?.sha256 === facts.sha256) {
    return { key, deduplicated: true, uploaded: existing.uploaded, etag: existing.etag };
  }
  throw conflict(`An original already exists at "${key}"; add overwrite=true to replace it.`);
}
