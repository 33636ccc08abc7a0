/**
 * How much memory a transform will need, from the header alone, so that an
 * image that would not fit is refused before anything is decoded. The
 * estimate is the largest of three moments: decoding; the resize (the
 * decoded RGBA in JS, the resizer's input and output inside WASM, and the
 * result copied back); encoding.
 */
import { CODECS } from '../codecs';
import { rgbaBytes, type DecodeHint, type ImageHeader, type Size } from '../codecs/types';
import type { StepContext } from './step';

export interface CostEstimate {
  decoded: Size;
  peakBytes: number;
}

export function estimateCost(header: ImageHeader, inputBytes: number, hint: DecodeHint, context: StepContext): CostEstimate {
  const decoder = CODECS[header.format];
  const encoder = CODECS[context.spec.format];
  const decoded = decoder.decodedSize(header, hint);
  const output = context.geometry.output;
  const resizeInput = Math.min(rgbaBytes(decoded), 4 * rgbaBytes(context.stored.scaled));
  const decoding = decoder.decodeMemory(header, decoded);
  const resizing = rgbaBytes(decoded) + resizeInput + 2 * rgbaBytes(context.stored.scaled);
  const encoding = rgbaBytes(output) * 2 + output.width * output.height * encoder.encodeBytesPerPixel;
  return { decoded, peakBytes: inputBytes + Math.max(decoding, resizing, encoding) };
}
