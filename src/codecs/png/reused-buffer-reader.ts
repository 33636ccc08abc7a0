/**
 * Reading a stream into one buffer, reused from read to read. workerd's
 * streams (R2 and fetch bodies, DecompressionStream's readable) are byte
 * streams; one that is not gives its own chunks.
 */

export interface ChunkReader {
  /** The next bytes: a view valid until the next read, which reuses its buffer. */
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
}

/**
 * Reads `stream` into a buffer of `size` bytes. With `atLeast` above 1, each
 * read waits for that many bytes (fewer only at the end) where the runtime
 * has workerd's `readAtLeast`: the runtime then gathers small chunks without
 * running JS for each.
 */
export function reusedBufferReader(stream: ReadableStream<Uint8Array>, size: number, atLeast = 1): ChunkReader {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    const reader = stream.getReader();
    return { read: () => reader.read(), cancel: () => reader.cancel() };
  }
  const fill =
    atLeast > 1 && typeof (byob as { readAtLeast?: unknown }).readAtLeast === 'function'
      ? (view: Uint8Array) => byob.readAtLeast(atLeast, view)
      : (view: Uint8Array) => byob.read(view);
  let buffer = new ArrayBuffer(size);
  return {
    async read() {
      const result = await fill(new Uint8Array(buffer));
      if (result.value) buffer = result.value.buffer as ArrayBuffer;
      return result as ReadableStreamReadResult<Uint8Array>;
    },
    cancel: () => byob.cancel(),
  };
}
