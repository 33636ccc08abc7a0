/**
 * Encodes at the requested quality; with a byte budget (Thumbor's
 * max_bytes), retries at lower qualities until the output fits or the
 * quality floor is reached, then returns the smallest attempt.
 */
import type { Codec } from '../codecs/codec';
import type { RgbaImage } from '../codecs/types';
import type { ResolvedSpec } from '../spec/transform-spec';

const QUALITY_STEP = 10;
const QUALITY_FLOOR = 10;

export async function encodeWithin(codec: Codec, image: RgbaImage, spec: ResolvedSpec): Promise<ArrayBuffer> {
  let quality = spec.quality ?? codec.defaultQuality;
  let best = await codec.encode(image, quality);
  // PNG is lossless: quality changes nothing, so one attempt is all there is.
  if (spec.maxBytes === undefined || spec.format === 'png') return best;
  while (best.byteLength > spec.maxBytes && quality > QUALITY_FLOOR) {
    quality = Math.max(QUALITY_FLOOR, quality - QUALITY_STEP);
    const attempt = await codec.encode(image, quality);
    if (attempt.byteLength < best.byteLength) best = attempt;
  }
  return best;
}
