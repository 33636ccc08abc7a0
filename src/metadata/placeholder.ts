/**
 * What a page shows before the image loads: a ThumbHash (about 25 bytes,
 * carrying the aspect ratio, alpha and a blurred picture) and the dominant
 * colour. Both come from one small, upright rendition, which the JPEG decoder
 * makes cheaply by shrinking on load.
 */
import { rgbaToThumbHash } from 'thumbhash';
import type { ImageHeader } from '../codecs/types';
import type { Config } from '../config';
import { planTransform, renderPixels } from '../pipeline/run';
import { DEFAULT_SPEC } from '../spec/transform-spec';
import { dominantColor } from './dominant-color';

/** ThumbHash encodes at most 100×100 pixels. */
const THUMBHASH_MAX_SIDE = 100;

export interface Placeholder {
  /** Standard base64 of the ThumbHash bytes. */
  thumbhash: string;
  dominantColor?: string;
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** Decodes the image (a corrupt one fails here, 422) and summarises it. */
export async function makePlaceholder(bytes: Uint8Array, header: ImageHeader, config: Config): Promise<Placeholder> {
  const spec = { ...DEFAULT_SPEC, width: THUMBHASH_MAX_SIDE, height: THUMBHASH_MAX_SIDE, format: 'png' as const };
  const image = await renderPixels(bytes, header, planTransform(header, bytes.length, spec, config));
  return { thumbhash: base64(rgbaToThumbHash(image.width, image.height, image.data)), dominantColor: dominantColor(image) };
}
