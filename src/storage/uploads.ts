/**
 * Writes originals that arrive through the API. One R2 put carries the bytes
 * and all their metadata, so an original is either fully there, described,
 * or absent. "Create" writes are conditional (If-None-Match: *), so of two
 * concurrent writers to one key exactly one wins and the other learns it.
 */
import { conflict } from '../errors';
import { r2 } from '../lib/r2';

export interface OriginalWrite {
  key: string;
  bytes: Uint8Array;
  contentType: string;
  customMetadata: Record<string, string>;
  overwrite: boolean;
  /** For a content-addressed key: whether the object already there holds these bytes. */
  holdsSameBytes?: (existing: R2Object) => boolean;
}

export interface StoredUpload {
  key: string;
  /** Content-addressed key whose object already held these bytes: nothing was written. */
  deduplicated: boolean;
  uploaded: Date;
  etag: string;
}

export async function writeOriginal(bucket: R2Bucket, write: OriginalWrite): Promise<StoredUpload> {
  const { key } = write;
  const written = await r2('original write', () => bucket.put(key, write.bytes, {
    httpMetadata: { contentType: write.contentType },
    customMetadata: write.customMetadata,
    // No `sha256` integrity option: the bytes come from our own memory, and miniflare's
    // local R2 intermittently fails such puts with an internal assertion (500) under load.
    onlyIf: write.overwrite ? undefined : new Headers({ 'If-None-Match': '*' }),
  }));
  if (written) return { key, deduplicated: false, uploaded: written.uploaded, etag: written.etag };
  // Taken. The same bytes at a content-addressed key are a duplicate (also when two identical
  // uploads race); an explicit key, or a hash-named object with other bytes, is a conflict.
  const existing = await r2('original head', () => bucket.head(key));
  if (existing && write.holdsSameBytes?.(existing)) {
    return { key, deduplicated: true, uploaded: existing.uploaded, etag: existing.etag };
  }
  throw conflict(`An original already exists at "${key}"; add overwrite=true to replace it.`);
}
