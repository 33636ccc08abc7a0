/**
 * Gives Thumbor's URL parts their Thumbor meaning in the canonical
 * TransformSpec: manual crop first; both sides → fill the box and crop,
 * one side → scale to it (both may enlarge unless no_upscale); fit-in →
 * fit inside, never enlarging unless upscale; full-fit-in covers the box
 * (enlarging if need be, as Thumbor's transformer does); adaptive- turns the
 * box; fill() with fit-in pads to the box; negative sizes
 * flip; halign/valign place the crop, or smart finds it from the content.
 */
import { invalidOptions, remoteSource } from '../../errors';
import { decodeKey } from '../../lib/keys';
import type { Size } from '../../lib/size';
import { cropArea } from '../../spec/crop-area';
import { assertRequestedSide } from '../../spec/requested-size';
import { DEFAULT_SPEC, type Fit, type Gravity, type TransformSpec } from '../../spec/transform-spec';
import { applyFilters, type ThumborDraft } from './filters';
import type { Side, ThumborParts } from './grammar';

export interface ThumborRequest {
  spec: TransformSpec;
  /** max_age(seconds): this answer's Cache-Control max-age instead of VARIANT_CACHE_CONTROL. */
  maxAge?: number;
  key: string;
  meta: boolean;
  /** This side of the box is the original's (`orig` opposite a number); see withSourceSide. */
  sourceSide?: 'width' | 'height';
}

const HALIGN = { left: 0, center: 0.5, right: 1 } as const;
const VALIGN = { top: 0, middle: 0.5, bottom: 1 } as const;

/** halign/valign; `smart` (spec.smart) replaces them with the picture's salient point. */
const gravity = (parts: ThumborParts): Gravity => ({ x: HALIGN[parts.halign ?? 'center'], y: VALIGN[parts.valign ?? 'middle'] });

/**
 * 0 follows the aspect ratio; proportion() scales the sides given. `orig` is the original's side (after a manual
 * crop): with orig or 0 opposite it changes nothing, so it is left out;
 * opposite a number it needs the original's size, which the route fills in.
 */
function sides(parts: ThumborParts, maxOutputDimension: number, proportion = 1) {
  const { width, height } = parts;
  const given = (s: Side) => typeof s === 'number' && s > 0;
  const sourceSide = width === 'orig' && given(height) ? 'width' : height === 'orig' && given(width) ? 'height' : undefined;
  const size = (s: Side) => (typeof s === 'number' && s > 0 ? Math.max(1, Math.round(s * proportion)) : undefined);
  const result = { width: size(width), height: size(height) };
  for (const [name, value] of Object.entries(result)) {
    if (value !== undefined) assertRequestedSide(`${name}=${value}`, value, maxOutputDimension);
  }
  return { ...result, sourceSide } as const;
}

function fitFor(parts: ThumborParts, draft: ThumborDraft, both: boolean): Fit {
  if (parts.fitIn) {
    if (draft.fill || draft.edgeBackground) return 'pad';
    if (parts.fitIn.includes('full-')) return 'outside';
    return draft.upscale ? 'contain' : 'scale-down';
  }
  if (both) return draft.noUpscale ? 'crop' : 'cover';
  return draft.noUpscale ? 'scale-down' : 'contain';
}

// Thumbor fetches an http(s) image URL, written plain or percent-encoded; edgepix has no loader for one.
const REMOTE_SOURCE = /^https?(?::|%3A)/i;

function imageKey(image: string): string {
  if (REMOTE_SOURCE.test(image)) throw remoteSource();
  return decodeKey(image);
}

function decodeFilters(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidOptions('The filters segment is not valid percent-encoding.');
  }
}

export function toThumborRequest(parts: ThumborParts, maxOutputDimension: number): ThumborRequest {
  const draft: ThumborDraft = { ...DEFAULT_SPEC };
  if (parts.filters) applyFilters(draft, decodeFilters(parts.filters));
  const { fill, noUpscale, upscale, stretch, proportion, maxAge, ...effects } = draft;
  const { width, height, sourceSide } = sides(parts, maxOutputDimension, proportion);
  const both = sourceSide !== undefined || (width !== undefined && height !== undefined);
  const spec: TransformSpec = {
    ...effects,
    width,
    height,
    fit: stretch && both ? 'squeeze' : fitFor(parts, draft, both),
    gravity: gravity(parts),
    ...(parts.smart && { smart: true }),
    // Thumbor keeps no EXIF unless configured to (PRESERVE_EXIF_INFO is off by default).
    metadata: 'none',
    // Thumbor's tolerance is a distance in RGB (up to 442); as the largest channel difference it is at most 255.
    ...(parts.trim && { trim: { border: { tolerance: Math.min(255, parts.trim.tolerance), keep: 0, corner: parts.trim.corner } } }),
    background: fill ?? effects.background,
    flipHorizontal: parts.flipHorizontal || undefined,
    flipVertical: parts.flipVertical || undefined,
    adaptive: parts.fitIn?.startsWith('adaptive-') || undefined,
  };
  // libthumbor writes 0x0:0x0 never, but Thumbor reads it as "no crop".
  if (parts.crop && Object.values(parts.crop).some((edge) => edge > 0)) {
    const { left, top, right, bottom } = parts.crop;
    if (right <= left || bottom <= top) {
      throw invalidOptions(`Expected a crop AxB:CxD with C > A and D > B but received ${left}x${top}:${right}x${bottom}.`);
    }
    spec.crop = { x: left, y: top, width: right - left, height: bottom - top };
  }
  return { spec: dropUndefined(spec), key: imageKey(parts.image), meta: parts.meta, sourceSide, ...(maxAge !== undefined && { maxAge }) };
}

/** Fills in an `orig` side from the upright original's size, after the manual crop as Thumbor does. */
export function withSourceSide({ spec, sourceSide }: ThumborRequest, upright: Size): TransformSpec {
  if (!sourceSide) return spec;
  return { ...spec, [sourceSide]: cropArea(upright, spec)[sourceSide] };
}

/** Absent and undefined must mean the same to canonicalize and to equality in tests. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
