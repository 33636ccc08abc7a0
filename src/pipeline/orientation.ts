/**
 * EXIF orientation in planning. Geometry is planned on the upright picture,
 * but pixels stay in the file's own orientation until the orient step, which
 * runs last, on the smallest image; these map the plan back to that frame.
 */
import type { Rect, Size } from './geometry';

/** Orientations 5–8 rotate by a quarter turn, swapping width and height. */
export const swapsAxes = (orientation: number) => orientation >= 5 && orientation <= 8;

/** Swapping is its own inverse, so this maps stored → upright and back. */
export const orientSize = (size: Size, orientation: number): Size =>
  swapsAxes(orientation) ? { width: size.height, height: size.width } : size;

/** Where upright point (x, y) lies in the stored image of size w×h (edges, not pixel centres). */
function storedPoint(x: number, y: number, orientation: number, w: number, h: number): [number, number] {
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

/** An upright rectangle, expressed in the stored image (`stored` is the stored image's size). */
export function storedRect(rect: Rect, orientation: number, stored: Size): Rect {
  const [x1, y1] = storedPoint(rect.x, rect.y, orientation, stored.width, stored.height);
  const [x2, y2] = storedPoint(rect.x + rect.width, rect.y + rect.height, orientation, stored.width, stored.height);
  return { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) };
}
