/**
 * What a failure inside the decode → steps → encode pass tells the client.
 * Only a codec's own verdict on the data is "corrupt"; running out of memory
 * and WebAssembly traps say nothing certain about the file, so they get
 * problems of their own and are logged.
 */
import { CodecOutOfMemory, CodecTrap } from '../codecs/failures';
import { corruptImage, insufficientMemory, ProblemError, undecodableImage } from '../errors';
import { logError } from '../lib/log';

/** Allocation failures in JS or in jsquash's Emscripten glue (aborts with "OOM"). */
const OUT_OF_MEMORY = /out of memory|\bOOM\b|allocation failed|maximum memory size/i;

/** `format` names the file's format in the detail (JPEG, PNG…). */
export function codecProblem(error: unknown, format: string): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof CodecOutOfMemory || ((error instanceof RangeError || error instanceof WebAssembly.RuntimeError) && OUT_OF_MEMORY.test(error.message))) {
    logError('codec-out-of-memory', error, { format });
    return insufficientMemory(`Processing this ${format} ran out of memory; retry, or ask for a smaller output.`);
  }
  if (error instanceof CodecTrap || error instanceof WebAssembly.RuntimeError) {
    logError('codec-trap', error, { format });
    return undecodableImage(`The ${format} decoder or encoder failed on this file; it may be malformed in a way the codec does not report.`);
  }
  // Emscripten codecs may throw bare numbers or objects: only an Error has a message worth showing.
  return corruptImage(`The ${format} could not be decoded${error instanceof Error ? `: ${error.message}` : '.'}`);
}
