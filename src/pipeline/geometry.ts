/**
 * Pure geometry: from the oriented original's size and the spec, where to
 * crop, what size to scale to and, for `pad`, the canvas. Everything is in
 * the oriented original's pixels, so the decoder may then decode smaller.
 */
import { clamp, wholeRect, type Rect, type Size } from '../lib/size';
import { cropArea } from '../spec/crop-area';
import type { TransformSpec } from '../spec/transform-spec';

export interface Geometry {
  /** Part of the oriented original that ends up in the output. */
  region: Rect;
  /** Size the region is resized to. */
  scaled: Size;
  /** For `pad`: the output canvas and where `scaled` sits on it. */
  canvas?: Rect;
  output: Size;
}

const atLeastOne = (n: number) => Math.max(1, Math.round(n));

/** Fills in a missing side from the aspect ratio; `adaptive` turns the box to the picture's orientation. */
function targetBox(source: Size, spec: TransformSpec): Size | undefined {
  const { width, height } = spec;
  if (width === undefined && height === undefined) return undefined;
  // Left unrounded: a rounded derived side would constrain the given one (4096×800 at width=400 gave 399).
  const box = {
    width: width ?? (source.width * height!) / source.height,
    height: height ?? (source.height * width!) / source.width,
  };
  const turned = spec.adaptive && box.width > box.height !== source.width > source.height;
  return turned ? { width: box.height, height: box.width } : box;
}

/** Whole-image scale to fit inside `box`, optionally never enlarging. */
function fitInside(source: Size, box: Size, allowEnlarge: boolean): Size {
  const scale = Math.min(box.width / source.width, box.height / source.height, allowEnlarge ? Infinity : 1);
  return { width: atLeastOne(source.width * scale), height: atLeastOne(source.height * scale) };
}

/** The part of the source that, scaled by `scale`, covers `box`, centred on the focal point where possible. */
function coverRegion(source: Size, box: Size, scale: number, spec: TransformSpec): Rect {
  const width = clamp(Math.round(box.width / scale), 1, source.width);
  const height = clamp(Math.round(box.height / scale), 1, source.height);
  const x = clamp(Math.round(spec.gravity.x * source.width - width / 2), 0, source.width - width);
  const y = clamp(Math.round(spec.gravity.y * source.height - height / 2), 0, source.height - height);
  return { x, y, width, height };
}

/** The centre of a focal region, as fractions of the crop area it is measured against. */
function focusGravity(focus: Rect, area: Rect) {
  const fraction = (at: number, from: number, size: number) => clamp((at - from) / size, 0, 1);
  return { x: fraction(focus.x + focus.width / 2, area.x, area.width), y: fraction(focus.y + focus.height / 2, area.y, area.height) };
}

/** A manual crop comes first: everything else is planned inside it, then moved back to source pixels. */
export function planGeometry(source: Size, spec: TransformSpec): Geometry {
  const area = cropArea(source, spec);
  const focused = spec.focus ? { ...spec, gravity: focusGravity(spec.focus, area) } : spec;
  const plan = planFit({ width: area.width, height: area.height }, focused);
  return { ...plan, region: { ...plan.region, x: plan.region.x + area.x, y: plan.region.y + area.y } };
}

function planFit(source: Size, spec: TransformSpec): Geometry {
  const exact = targetBox(source, spec);
  if (!exact) return { region: wholeRect(source), scaled: source, output: source };
  const box = { width: atLeastOne(exact.width), height: atLeastOne(exact.height) };
  switch (spec.fit) {
    case 'scale-down':
    case 'contain': {
      const scaled = fitInside(source, exact, spec.fit === 'contain');
      return { region: wholeRect(source), scaled, output: scaled };
    }
    case 'squeeze':
      return { region: wholeRect(source), scaled: box, output: box };
    case 'outside': {
      const scale = Math.max(exact.width / source.width, exact.height / source.height);
      const scaled = { width: atLeastOne(source.width * scale), height: atLeastOne(source.height * scale) };
      return { region: wholeRect(source), scaled, output: scaled };
    }
    case 'pad': {
      const scaled = fitInside(source, exact, true);
      const canvas = {
        x: Math.floor((box.width - scaled.width) / 2),
        y: Math.floor((box.height - scaled.height) / 2),
        ...box,
      };
      return { region: wholeRect(source), scaled, canvas, output: box };
    }
    case 'cover':
    case 'crop': {
      // crop never enlarges: smaller images are only trimmed to the box.
      const cover = Math.max(exact.width / source.width, exact.height / source.height);
      const scale = spec.fit === 'crop' ? Math.min(cover, 1) : cover;
      const region = coverRegion(source, box, scale, spec);
      // Covering, the output is the box exactly: the region's rounding (213 rows × 1.875 = 399.4) must not show.
      const scaled = scale === cover ? box : {
        width: Math.min(box.width, atLeastOne(region.width * scale)),
        height: Math.min(box.height, atLeastOne(region.height * scale)),
      };
      return { region, scaled, output: scaled };
    }
  }
}

/** The smallest whole-image size that still gives the region at least its scaled size. */
export function minimumDecodeSize(source: Size, { region, scaled }: Pick<Geometry, 'region' | 'scaled'>): Size {
  const scale = Math.min(1, Math.max(scaled.width / region.width, scaled.height / region.height));
  return { width: Math.ceil(source.width * scale), height: Math.ceil(source.height * scale) };
}
