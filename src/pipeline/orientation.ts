/**
 * EXIF orientation. Geometry is planned on the upright picture, but pixels
 * stay in the file's own orientation until the orient step, which runs
 * after resizing, on the smallest image; these map the plan back to that
 * frame and rearrange pixels (also for the flip and rotate filters).
 */
import type { RgbaImage } from '../codecs/types';
import type { Rect, Size } from '../lib/size';

/** Orientations 5–8 rotate by a quarter turn, swapping width and height. */
const swapsAxes = (orientation: number) => orientation >= 5 && orientation <= 8;

/** Swapping is its own inverse, so this maps unoriented → upright and back. */
export const orientSize = (size: Size, orientation: number): Size =>
  swapsAxes(orientation) ? { width: size.height, height: size.width } : size;

/** Where upright point (x, y) lies in the unoriented image of size w×h (edges, not pixel centres). */
function unorientedPoint(x: number, y: number, orientation: number, w: number, h: number): [number, number] {
  switch (orientation) {
    case 2: return [w - x, y];
    case 3: return [w - x, h - y];
    case 4: return [x, h - y];
    case 5: return [y, x];
    case 6: return [y, h - x];
    case 7: return [w - y, h - x];
    case 8: return [w - y, x];
    default: return [x, y];
  }
}

/** An upright rectangle, expressed in the unoriented image of size `frame`. */
export function unorientedRect(rect: Rect, orientation: number, frame: Size): Rect {
  const [x1, y1] = unorientedPoint(rect.x, rect.y, orientation, frame.width, frame.height);
  const [x2, y2] = unorientedPoint(rect.x + rect.width, rect.y + rect.height, orientation, frame.width, frame.height);
  return { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) };
}

/** EXIF orientations named by what they do: flips and clockwise turns. */
export const MIRROR_HORIZONTAL = 2;
export const TURN_180 = 3;
export const MIRROR_VERTICAL = 4;
export const TURN_90 = 6;
export const TURN_270 = 8;

/** Where destination pixel (0,0) reads from, and the source step per destination x and y. */
function walk(orientation: number, w: number, h: number): [start: number, dx: number, dy: number] {
  switch (orientation) {
    case 2: return [w - 1, -1, w];
    case 3: return [w * h - 1, -1, -w];
    case 4: return [(h - 1) * w, 1, -w];
    case 5: return [0, w, 1];
    case 6: return [(h - 1) * w, -w, 1];
    case 7: return [(h - 1) * w + w - 1, -w, -1];
    case 8: return [w - 1, w, -1];
    default: return [0, 1, w];
  }
}

/** Rearranges pixels as EXIF `orientation` 2–8 says to display them upright; 1 is a no-op. */
export function reorient(image: RgbaImage, orientation: number): RgbaImage {
  if (orientation <= 1 || orientation > 8) return image;
  const { width: w, height: h } = image;
  const [width, height] = swapsAxes(orientation) ? [h, w] : [w, h];
  const [start, dx, dy] = walk(orientation, w, h);
  const src = new Uint32Array(image.data.buffer, image.data.byteOffset, w * h);
  const out = new Uint32Array(w * h);
  let o = 0;
  for (let y = 0, row = start; y < height; y++, row += dy) {
    for (let x = 0, i = row; x < width; x++, i += dx) out[o++] = src[i]!;
  }
  return { width, height, data: new Uint8ClampedArray(out.buffer) };
}
