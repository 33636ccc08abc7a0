import { collect, replay, type RowSink } from '../codecs/rows';
import type { RgbaImage, Size } from '../codecs/types';
import type { ResolvedSpec } from '../spec/transform-spec';
import type { Rect } from '../lib/size';
import type { SrgbConversion } from './colour-profile';
import type { Geometry } from './geometry';

/** The plan in the file's own (unoriented) frame, which pixels keep until the orient step. */
export interface UnorientedPlan {
  /** Full size of the original in its file's frame; the decoded image may be smaller. */
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
  unoriented: UnorientedPlan;
  /** The `draw` overlay's pixels, decoded at their size before planning. */
  overlay?: RgbaImage;
  /** From the original's ICC profile to sRGB, when it is not sRGB already. */
  colour?: SrgbConversion;
  /** Every decoded alpha is 255 (run.ts decides it from the header, conservatively). */
  opaque: boolean;
}

/** What a step does to a picture of a given size: the size it passes on, and how to wire it before the next sink. */
export interface Stage {
  output: Size;
  /** Bytes it holds besides the bands passing through (a whole picture, for steps that need one). */
  memory: number;
  connect<T>(next: RowSink<T>): RowSink<T>;
}

/**
 * One pipeline step: a row transform for a picture of `input` size, or
 * undefined when it has nothing to do.
 */
export type Step = (input: Size, context: StepContext) => Stage | undefined;

/** The RGBA view of a band, for the pixel helpers that work on whole images. */
const bandImage = (band: Uint8Array, width: number, count: number): RgbaImage => ({
  width,
  height: count,
  data: new Uint8ClampedArray(band.buffer, band.byteOffset, width * count * 4),
});

/**
 * A step that changes pixels in place, band by band, without changing the
 * size: it edits the band it is lent before passing it on.
 */
export function inPlace(size: Size, edit: (band: RgbaImage) => void): Stage {
  return {
    output: size,
    memory: 0,
    connect: (next) => ({
      write(band, count) {
        edit(bandImage(band, size.width, count));
        next.write(band, count);
      },
      close: () => next.close(),
      abort: () => next.abort(),
    }),
  };
}

/**
 * A step that needs the whole picture (a quarter turn, a vertical flip, a
 * blur): it collects it — at the smallest size in the chain, since these
 * run after the resize — transforms it, and replays the result.
 */
export function wholePicture(
  input: Size,
  output: Size,
  transform: (image: RgbaImage) => RgbaImage,
  /** Further pictures of the output's size the transform allocates. */
  scratchPictures = 0,
): Stage {
  return {
    output,
    memory: 4 * (input.width * input.height + (1 + scratchPictures) * output.width * output.height),
    connect(next) {
      const picture = collect(input);
      return {
        write: (band, count) => picture.write(band, count),
        async close() {
          return replay(transform(await picture.close()), next);
        },
        abort() {
          picture.abort();
          next.abort();
        },
      };
    },
  };
}
