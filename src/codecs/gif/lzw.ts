/**
 * GIF's variable-width LZW (codes of 3–12 bits, least significant bit
 * first), reading the image's data sub-blocks in place. Stops at the end
 * code, at the end of the data, or once `out` is full; a truncated stream
 * leaves the rest of `out` as it was, as browsers show a partial frame.
 */
const MAX_CODES = 4096;

/** Decodes into `out` from `at` (the LZW minimum code size byte); returns how many indices were written. */
export function decodeLzw(bytes: Uint8Array, at: number, out: Uint8Array): number {
  const minCodeSize = bytes[at++] ?? 0;
  if (minCodeSize < 2 || minCodeSize > 11) throw new Error(`LZW minimum code size ${minCodeSize} is out of range`);
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const prefix = new Uint16Array(MAX_CODES);
  const suffix = new Uint8Array(MAX_CODES);
  const stack = new Uint8Array(MAX_CODES + 1);
  for (let i = 0; i < clear; i++) suffix[i] = i;
  let codeSize = minCodeSize + 1;
  let next = clear + 2;
  let previous = -1;
  let first = 0;
  let written = 0;
  let bits = 0;
  let bitCount = 0;
  let blockLeft = 0;
  while (written < out.length) {
    while (bitCount < codeSize) {
      if (blockLeft === 0) {
        blockLeft = bytes[at++] ?? 0;
        if (blockLeft === 0) return written; // the terminator, or the file ended
      }
      bits |= (bytes[at++] ?? 0) << bitCount;
      bitCount += 8;
      blockLeft--;
    }
    const code = bits & ((1 << codeSize) - 1);
    bits >>>= codeSize;
    bitCount -= codeSize;
    if (code === clear) {
      codeSize = minCodeSize + 1;
      next = clear + 2;
      previous = -1;
      continue;
    }
    if (code === end) return written;
    if (previous === -1) {
      if (code > clear) throw new Error('LZW stream starts with an undefined code');
      out[written++] = first = code;
      previous = code;
      continue;
    }
    if (code > next) throw new Error('LZW code out of sequence');
    let sp = 0;
    let walk = code;
    if (code === next) {
      stack[sp++] = first; // the KwKwK case: the entry being defined ends with its own first index
      walk = previous;
    }
    while (walk > clear) {
      stack[sp++] = suffix[walk]!;
      walk = prefix[walk]!;
    }
    first = walk;
    stack[sp++] = walk;
    if (next < MAX_CODES) {
      prefix[next] = previous;
      suffix[next] = first;
      next++;
      if (next === 1 << codeSize && codeSize < 12) codeSize++;
    }
    while (sp > 0 && written < out.length) out[written++] = stack[--sp]!;
    previous = code;
  }
  return written;
}
