/** What a manual crop (Thumbor's `AxB:CxD`) and a trim (Cloudflare's, edges known) mean for a picture of a given size. */
import { clamp, wholeRect, type Rect, type Size } from '../lib/size';
import type { TransformSpec } from './transform-spec';

/** A region clamped to the picture, at least one pixel. */
function clampRect({ x, y, width, height }: Rect, bounds: Rect): Rect {
  const left = clamp(x, bounds.x, bounds.x + bounds.width - 1);
  const top = clamp(y, bounds.y, bounds.y + bounds.height - 1);
  return { x: left, y: top, width: clamp(width, 1, bounds.x + bounds.width - left), height: clamp(height, 1, bounds.y + bounds.height - top) };
}

/** The manual crop, then the trim inside it, clamped to the picture; or the whole picture. */
export function cropArea(source: Size, spec: TransformSpec): Rect {
  const whole = wholeRect(source);
  const cropped = spec.crop ? clampRect(spec.crop, whole) : whole;
  const trim = spec.trim;
  // A border trim is resolved into edges before planning (delivery/transform.ts); unresolved, it cuts nothing.
  if (!trim || 'border' in trim) return cropped;
  const width = trim.width ?? cropped.width - trim.left - trim.right;
  const height = trim.height ?? cropped.height - trim.top - trim.bottom;
  return clampRect({ x: cropped.x + trim.left, y: cropped.y + trim.top, width, height }, cropped);
}
