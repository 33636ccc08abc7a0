/** For fit=pad: places the scaled image on a canvas of the requested size. */
import type { RgbaImage } from '../../codecs/types';
import type { StepContext } from '../step';
import { packRgba, TRANSPARENT } from './pixels';

export function pad(image: RgbaImage, { spec, geometry: { canvas } }: StepContext): RgbaImage {
  if (!canvas || (canvas.width === image.width && canvas.height === image.height)) return image;
  const out = new Uint32Array(canvas.width * canvas.height).fill(packRgba(spec.background ?? TRANSPARENT));
  const src = new Uint32Array(image.data.buffer, image.data.byteOffset, image.width * image.height);
  for (let row = 0; row < image.height; row++) {
    out.set(src.subarray(row * image.width, (row + 1) * image.width), (canvas.y + row) * canvas.width + canvas.x);
  }
  return { width: canvas.width, height: canvas.height, data: new Uint8ClampedArray(out.buffer) };
}
