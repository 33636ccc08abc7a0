/** What a manual crop (`trim`, Thumbor's `AxB:CxD`) means for a picture of a given size. */
import { clamp, wholeRect, type Rect, type Size } from '../lib/size';
import type { TransformSpec } from './transform-spec';

/** The manual crop, clamped to the picture (at least one pixel), or the whole picture. */
export function cropArea(source: Size, spec: TransformSpec): Rect {
  if (!spec.crop) return wholeRect(source);
  const x = clamp(spec.crop.x, 0, source.width - 1);
  const y = clamp(spec.crop.y, 0, source.height - 1);
  return { x, y, width: clamp(spec.crop.width, 1, source.width - x), height: clamp(spec.crop.height, 1, source.height - y) };
}
