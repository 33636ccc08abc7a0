/**
 * Thumbor's URL grammar, after the signature segment:
 * `[meta/][trim/][AxB:CxD/][(adaptive-)(full-)fit-in/][-]WxH/[halign/][valign/][smart/][filters:…/]<image>`.
 * Only splits the path into parts; meaning is given in to-spec.ts.
 */
import { invalidOptions } from '../../errors';

export type FitIn = 'fit-in' | 'full-fit-in' | 'adaptive-fit-in' | 'adaptive-full-fit-in';

/** A requested side: pixels (0 = follow the aspect ratio) or `orig`, the original's. */
export type Side = number | 'orig';

export interface ThumborParts {
  meta: boolean;
  /** trim[:top-left|bottom-right][:tolerance]: the corner whose colour is the border, and Thumbor's tolerance. */
  trim?: { corner: 'top-left' | 'bottom-right'; tolerance: number };
  /** Left, top, right, bottom in the original's pixels. */
  crop?: { left: number; top: number; right: number; bottom: number };
  fitIn?: FitIn;
  width: Side;
  height: Side;
  flipHorizontal: boolean;
  flipVertical: boolean;
  halign?: 'left' | 'center' | 'right';
  valign?: 'top' | 'middle' | 'bottom';
  smart: boolean;
  /** The raw `name(args):name(args)` list, without `filters:`. */
  filters?: string;
  /** Still percent-encoded. */
  image: string;
}

// The same sequence of optional segments as libthumbor's Url.regex (debug/ is not supported).
const PATTERN = new RegExp(
  [
    '^(?:(?<meta>meta)/)?',
    '(?:(?<trim>trim(?::(?<trimCorner>top-left|bottom-right))?(?::(?<trimTolerance>\\d+))?)/)?',
    '(?:(?<cropLeft>\\d+)x(?<cropTop>\\d+):(?<cropRight>\\d+)x(?<cropBottom>\\d+)/)?',
    '(?:(?<fitIn>(?:adaptive-)?(?:full-)?fit-in)/)?',
    '(?:(?<flipH>-)?(?<width>\\d+|orig)?x(?<flipV>-)?(?<height>\\d+|orig)?/)?',
    '(?:(?<halign>left|right|center)/)?',
    '(?:(?<valign>top|bottom|middle)/)?',
    '(?:(?<smart>smart)/)?',
    '(?:filters:(?<filters>.+?\\))/)?',
    '(?<image>.+)$',
  ].join(''),
);

const side = (text: string | undefined): Side => (text === 'orig' ? 'orig' : Number(text ?? 0));

export function parseThumborPath(rest: string): ThumborParts {
  const groups = PATTERN.exec(rest)?.groups;
  if (!groups?.image) throw invalidOptions('Expected a Thumbor URL ending in an image key.');
  const { cropLeft, cropTop, cropRight, cropBottom } = groups;
  return {
    meta: groups.meta !== undefined,
    trim: groups.trim === undefined
      ? undefined
      : { corner: groups.trimCorner === 'bottom-right' ? 'bottom-right' : 'top-left', tolerance: Number(groups.trimTolerance ?? 0) },
    crop: cropLeft === undefined
      ? undefined
      : { left: Number(cropLeft), top: Number(cropTop), right: Number(cropRight), bottom: Number(cropBottom) },
    fitIn: groups.fitIn as FitIn | undefined,
    width: side(groups.width),
    height: side(groups.height),
    flipHorizontal: groups.flipH !== undefined,
    flipVertical: groups.flipV !== undefined,
    halign: groups.halign as ThumborParts['halign'],
    valign: groups.valign as ThumborParts['valign'],
    smart: groups.smart !== undefined,
    filters: groups.filters,
    image: groups.image,
  };
}
