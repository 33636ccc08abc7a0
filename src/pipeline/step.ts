import type { RgbaImage, Size } from '../codecs/types';
import type { ResolvedSpec } from '../spec/transform-spec';
import type { Geometry, Rect } from './geometry';

/** The plan in the file's own orientation, which pixels keep until the orient step. */
export interface StoredPlan {
  /** Full size of the original as stored; the decoded image may be smaller. */
  source: Size;
  region: Rect;
  scaled: Size;
}

export interface StepContext {
  spec: ResolvedSpec;
  /** EXIF orientation of the decoded pixels. */
  orientation: number;
  /** Planned on the upright picture. */
  geometry: Geometry;
  stored: StoredPlan;
}

/** One pipeline stage: returns its input untouched when it has nothing to do. */
export type Step = (image: RgbaImage, context: StepContext) => RgbaImage | Promise<RgbaImage>;
