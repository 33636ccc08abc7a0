/** Byte-array helpers shared by codecs and the pipeline. */

const EMPTY = new Uint8Array(0);

/**
 * The chunks joined into one array (the only chunk itself when there is one).
 * Each slot of `chunks` is emptied once copied, so a large chunk can be
 * collected before the join ends.
 */
export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    out.set(chunks[i]!, at);
    at += chunks[i]!.length;
    chunks[i] = EMPTY;
  }
  return out;
}
