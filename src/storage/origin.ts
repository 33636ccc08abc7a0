/**
 * Where originals are read from: the ORIGINALS bucket, or an S3-compatible
 * or HTTP origin (see origins.ts). Every origin answers the same questions,
 * so delivery never knows which one it reads.
 *
 * A lookup reads only the first bytes of a file; it yields the version (its
 * validator versions every variant), the size, and enough of the header to
 * sniff the format. Every later read is pinned to that version, so all of a
 * variant comes from one version: a replaced original is `original-changed`.
 */

/** One version of an original, by the edgepix key that names it. */
export interface OriginalVersion {
  key: string;
  /** The origin's validator: an ETag, or Last-Modified and length; safe inside an R2 key. */
  etag: string;
  /** Bytes; 0 when an HTTP origin does not say (reads are capped as they stream). */
  size: number;
  uploaded: Date;
}

export type Lookup =
  | { changed: true; version: OriginalVersion; prefix: Uint8Array }
  /** The version the caller knew is still current (a conditional lookup): nothing was downloaded. */
  | { changed: false };

export interface Origin {
  /** For messages: `R2` or the origin's prefix and type. */
  readonly name: string;
  /** Only R2 takes uploads; the others are read-only to edgepix. */
  readonly kind: 'r2' | 's3' | 'http';
  /** Where anyone can fetch the original itself, if anywhere (an http origin without secret headers). */
  publicUrl?(key: string): string;
  /** The current version and its first bytes; with `known`, only whether it changed. */
  lookup(key: string, known?: OriginalVersion): Promise<Lookup>;
  /** The whole original, at most MAX_ORIGINAL_BYTES. */
  read(version: OriginalVersion): Promise<Uint8Array>;
  /** The first `length` bytes: enough for a header that precedes the pixels. */
  readHead(version: OriginalVersion, length: number): Promise<Uint8Array>;
  /** The whole original as a stream, cut off with 413 past MAX_ORIGINAL_BYTES. */
  stream(version: OriginalVersion): Promise<ReadableStream<Uint8Array>>;
}

/** Enough for every format's signature and, almost always, its alpha flags. */
export const PREFIX_BYTES = 4096;
