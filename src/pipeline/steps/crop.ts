/** Cuts the planned region, scaled to however large the decoder actually decoded. */
import type { RgbaImage } from '../../codecs/types';
import type { StepContext } from '../step';

export function crop(image: RgbaImage, { stored: { source, region } }: StepContext): RgbaImage {
  const sx = image.width / source.width;
  const sy = image.height / source.height;
  const x = Math.min(Math.floor(region.x * sx), image.width - 1);
  const y = Math.min(Math.floor(region.y * sy), image.height - 1);
  const width = Math.max(1, Math.min(Math.round(region.width * sx), image.width - x));
  const height = Math.max(1, Math.min(Math.round(region.height * sy), image.height - y));
  if (width === image.width && height === image.height) return image;
  const src = new Uint32Array(image.data.buffer, image.data.byteOffset, image.width * image.height);
  const out = new Uint32Array(width * height);
  for (let row = 0; row < height; row++) {
    const from = (y + row) * image.width + x;
    out.set(src.subarray(from, from + width), row * width);
  }
  return { width, height, data: new Uint8ClampedArray(out.buffer) };
}
