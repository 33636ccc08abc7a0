/** Originals in the ORIGINALS bucket: R2 knows each object's size and ETag, and pins reads with `onlyIf`. */
import { notFound, originalChanged, unsupportedMediaType } from '../errors';
import { trackBuffer } from '../lib/memory-meter';
import { PREFIX_BYTES, type Lookup, type Origin, type OriginalVersion } from './origin';
import { r2 } from '../lib/r2';

export function r2Origin(bucket: R2Bucket): Origin {
  /** R2 refuses a range read of an empty object, so that one case is told apart with a head(). The caller wraps both in r2(). */
  async function getPrefix(key: string, known?: OriginalVersion): Promise<R2Object | R2ObjectBody | null> {
    try {
      return await bucket.get(key, { range: { offset: 0, length: PREFIX_BYTES }, ...(known && { onlyIf: { etagDoesNotMatch: known.etag } }) });
    } catch (error) {
      if ((await bucket.head(key))?.size === 0) throw unsupportedMediaType('The original is empty.');
      throw error;
    }
  }

  /** The version whose ETag named the variant, or its first `length` bytes. */
  async function getPinned(version: OriginalVersion, length?: number): Promise<R2ObjectBody> {
    const range = length !== undefined && length < version.size ? { range: { offset: 0, length } } : {};
    const object = await r2('original read', () => bucket.get(version.key, { onlyIf: { etagMatches: version.etag }, ...range }));
    if (!object) throw notFound(`No original at key "${version.key}".`);
    if (!('body' in object)) throw originalChanged();
    return object;
  }

  return {
    name: 'R2',
    kind: 'r2',
    async lookup(key, known): Promise<Lookup> {
      const object = await r2('original lookup', () => getPrefix(key, known));
      if (!object) throw notFound(`No original at key "${key}".`);
      if (!('body' in object)) return { changed: false };
      const prefix = new Uint8Array(await (object as R2ObjectBody).arrayBuffer());
      if (prefix.length === 0) throw unsupportedMediaType('The original is empty.');
      return { changed: true, version: { key, etag: object.etag, size: object.size, uploaded: object.uploaded }, prefix };
    },
    read: async (version) => trackBuffer(new Uint8Array(await r2('original body', async () => (await getPinned(version)).arrayBuffer()))),
    readHead: async (version, length) => new Uint8Array(await r2('original body', async () => (await getPinned(version, length)).arrayBuffer())),
    stream: async (version) => (await getPinned(version)).body,
  };
}
