import type { RgbaImage } from '../codecs/types';
import type { ResolvedSpec } from '../spec/transform-spec';
import type { Geometry, Size } from './geometry';

export interface StepContext {
  spec: ResolvedSpec;
  /** EXIF orientation of the decoded pixels. */
  orientation: number;
  /** The oriented original's full size; the decoded image may be smaller. */
  source: Size;
  geometry: Geometry;
}

/** One pipeline stage: returns its input untouched when it has nothing to do. */
export type Step = (image: RgbaImage, context: StepContext) => RgbaImage | Promise<RgbaImage>;
