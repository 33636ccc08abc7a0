/**
 * Content-aware gravity (Cloudflare's gravity=auto, Thumbor's smart): the
 * `smartcrop` package scores a small copy of the picture for edges, skin
 * tones and saturation and picks the best window of the box's aspect; its
 * centre becomes the focal point. It runs on a copy at most
 * SALIENCY_SIDE pixels a side (smartcrop's own working size), so the
 * cost is that copy's decode plus a few milliseconds.
 */
import pkg from 'smartcrop';
import type { RgbaImage } from '../codecs/types';
import type { Gravity } from '../spec/transform-spec';

/** smartcrop analyses at 256 px; a larger copy would only be shrunk again. */
export const SALIENCY_SIDE = 256;

interface SmartcropModule {
  crop(image: unknown, options: Record<string, unknown>): Promise<{ topCrop: { x: number; y: number; width: number; height: number } }>;
  ImgData: new (width: number, height: number, data: Uint8ClampedArray) => unknown;
}
// Its typings know only crop(), for canvas images; the module also has ImgData and takes imageOperations.
const smartcrop = pkg as unknown as SmartcropModule;

/**
 * smartcrop's canvas operations as plain data access. It resamples only a
 * picture over 256 px a side, which the caller never passes.
 */
const imageOperations = {
  open: (image: RgbaImage) => Promise.resolve(image),
  getData: (image: RgbaImage) => Promise.resolve(new smartcrop.ImgData(image.width, image.height, image.data)),
};

/** The centre of the most salient window of `box`'s aspect, as fractions of the picture. */
export async function salientGravity(picture: RgbaImage, box: { width: number; height: number }): Promise<Gravity> {
  const { topCrop } = await smartcrop.crop(picture, { width: box.width, height: box.height, imageOperations });
  return { x: (topCrop.x + topCrop.width / 2) / picture.width, y: (topCrop.y + topCrop.height / 2) / picture.height };
}
