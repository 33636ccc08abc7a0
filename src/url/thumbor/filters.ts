/**
 * Thumbor's `filters:name(args):…` segment. Each supported filter sets
 * fields of the draft spec; any other filter is a 400 naming it, never
 * silently ignored.
 */
import { invalidOptions, unsupportedFilter } from '../../errors';
import { validateKey } from '../../lib/keys';
import { parseColor } from '../../spec/color';
import { composeLinear, contrastByPercent, shiftByPercent } from '../../spec/linear';
import { OUTPUT_FORMATS, type Rgba, type TransformSpec } from '../../spec/transform-spec';

/** A spec being assembled, with the filters that only shape how the URL's sizes are read. */
export interface ThumborDraft extends TransformSpec {
  fill?: Rgba;
  noUpscale?: boolean;
  upscale?: boolean;
  /** stretch(): fill the box ignoring the aspect ratio. */
  stretch?: boolean;
  /** proportion(p): the box's sides times p. */
  proportion?: number;
  /** max_age(seconds): the answer's Cache-Control max-age. */
  maxAge?: number;
}

type Filter = (draft: ThumborDraft, args: string[], name: string) => void;

function number(name: string, text: string | undefined, min: number, max: number, whole = false): number {
  const value = Number(text);
  const ok = text !== undefined && text.trim() !== '' && Number.isFinite(value) && value >= min && value <= max;
  if (!ok || (whole && !Number.isInteger(value))) {
    throw invalidOptions(`Expected ${whole ? 'a whole number' : 'a number'} from ${min} to ${max} for filter ${name} but received "${text ?? ''}".`);
  }
  return value;
}

function color(name: string, text: string | undefined): Rgba {
  const parsed = parseColor(text ?? '');
  if (!parsed) throw invalidOptions(`Expected a colour (a name or hex like ff0000) for filter ${name} but received "${text ?? ''}".`);
  return parsed;
}

const FORMAT_ALIASES: Record<string, string> = { jpg: 'jpeg' };

/** Thumbor's rotate is counter-clockwise; the spec turns clockwise. */
function clockwise(name: string, text: string | undefined): TransformSpec['rotate'] {
  const degrees = number(name, text, -3600, 3600, true);
  if (degrees % 90 !== 0) throw invalidOptions(`Expected a multiple of 90 for filter rotate but received "${text}".`);
  const turn = (((360 - degrees) % 360) + 360) % 360;
  return turn === 0 ? undefined : (turn as 90 | 180 | 270);
}

const FILTERS: Record<string, Filter> = {
  quality: (d, [q], n) => (d.quality = number(n, q, 1, 100, true)),
  format: (d, [f]) => {
    const format = FORMAT_ALIASES[f ?? ''] ?? f ?? '';
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
      throw unsupportedFilter(`format(${f ?? ''}) is not supported; use one of ${OUTPUT_FORMATS.join(', ')}.`);
    }
    d.format = format as TransformSpec['format'];
  },
  blur: (d, [radius, sigma], n) => {
    number(n, radius, 0, 150);
    d.blur = number(n, sigma ?? radius, 0, 150);
  },
  sharpen: (d, [amount, radius, luminanceOnly], n) => {
    if (luminanceOnly !== undefined && !['true', 'false', '0', '1'].includes(luminanceOnly)) {
      throw invalidOptions(`Expected true or false for the third argument of filter sharpen but received "${luminanceOnly}".`);
    }
    d.sharpen = { amount: number(n, amount, 0, 10), radius: number(n, radius, 0, 10) };
  },
  brightness: (d, [b], n) => (d.linear = composeLinear(d.linear, shiftByPercent(number(n, b, -100, 100, true)))),
  contrast: (d, [c], n) => (d.linear = composeLinear(d.linear, contrastByPercent(number(n, c, -100, 100, true)))),
  grayscale: (d) => (d.grayscale = true),
  rotate: (d, [degrees], n) => (d.rotate = clockwise(n, degrees)),
  fill: (d, [c], n) => {
    if (c === 'blur') throw unsupportedFilter('fill(blur) is not supported; give a colour, auto or transparent.');
    if (c === 'auto') d.edgeBackground = true;
    else d.fill = color(n, c);
  },
  background_color: (d, [c], n) => (d.background = color(n, c)),
  no_upscale: (d) => (d.noUpscale = true),
  upscale: (d) => (d.upscale = true),
  // Outputs never carry EXIF or ICC metadata (orientation is applied to the pixels), so these already hold.
  strip_exif: () => {},
  strip_icc: () => {},
  max_bytes: (d, [bytes], n) => (d.maxBytes = number(n, bytes, 1, Number.MAX_SAFE_INTEGER, true)),
  saturation: (d, [amount], n) => (d.saturation = (d.saturation ?? 1) * number(n, amount, 0, 10)),
  stretch: (d) => (d.stretch = true),
  rgb: (d, [r, g, b], n) => (d.channelShift = { r: number(n, r, -100, 100), g: number(n, g, -100, 100), b: number(n, b, -100, 100) }),
  equalize: (d) => (d.equalize = true),
  noise: (d, [amount], n) => (d.noise = number(n, amount, 0, 100)),
  max_age: (d, [seconds], n) => (d.maxAge = number(n, seconds, 0, 31536000, true)),
  proportion: (d, [p], n) => (d.proportion = number(n, p, 0.01, 1)),
  focal: (d, [region = '']) => (d.focus = focalRegion(region)),
  watermark,
  round_corner: (d, [radii = '', r, g, b, transparent], n) => {
    const [x, y = x] = radii.split('|');
    const colour = { r: number(n, r, 0, 255, true), g: number(n, g, 0, 255, true), b: number(n, b, 0, 255, true), a: 255 };
    if (transparent !== undefined && !['0', '1'].includes(transparent)) {
      throw invalidOptions(`Expected 0 or 1 for the fifth argument of filter round_corner but received "${transparent}".`);
    }
    d.roundCorners = { x: number(n, x, 1, 10000), y: number(n, y, 1, 10000), color: transparent === '1' ? { ...colour, a: 0 } : colour };
  },
};

/** watermark's x or y: pixels from the near edge, or (negative) the far one; `center`; `repeat` tiles along that axis. */
function watermarkAxis(name: string, text: string | undefined, near: 'left' | 'top', far: 'right' | 'bottom') {
  if (text === 'center') return {};
  if (text === 'repeat') return { repeat: true };
  const offset = number(name, text, -100000, 100000, true);
  return Object.is(offset, -0) || offset < 0 ? { [far]: -offset } : { [near]: offset };
}

/** watermark's w_ratio or h_ratio: a percent of the picture, or `none`. */
const share = (name: string, text: string | undefined) => (text === undefined || text === 'none' ? undefined : number(name, text, 1, 100) / 100);

function watermark(draft: ThumborDraft, [image, x, y, alpha, widthRatio, heightRatio]: string[], name: string): void {
  if (!image) throw invalidOptions('Expected watermark(image, x, y, alpha[, w_ratio, h_ratio]) with the image an original\'s key.');
  const { repeat: alongX, ...horizontal } = watermarkAxis(name, x, 'left', 'right');
  const { repeat: alongY, ...vertical } = watermarkAxis(name, y, 'top', 'bottom');
  const repeat = alongX && alongY ? 'both' : alongX ? 'x' : alongY ? 'y' : undefined;
  draft.draw = {
    key: validateKey(image),
    fit: 'contain',
    gravity: { x: 0.5, y: 0.5 },
    // Thumbor's alpha is transparency: 0 opaque, 100 invisible.
    opacity: 1 - number(name, alpha, 0, 100) / 100,
    ...horizontal,
    ...vertical,
    ...(repeat && { repeat }),
    ...(share(name, widthRatio) !== undefined && { widthShare: share(name, widthRatio) }),
    ...(share(name, heightRatio) !== undefined && { heightShare: share(name, heightRatio) }),
  };
}

const FOCAL = /^(\d+)x(\d+):(\d+)x(\d+)$/;

/** focal(AxB:CxD): a region of the original, left-top to right-bottom corner. */
function focalRegion(text: string) {
  const [, left, top, right, bottom] = (FOCAL.exec(text) ?? []).map(Number);
  if (left === undefined || !(right! > left) || !(bottom! > top!)) {
    throw invalidOptions(`Expected focal(AxB:CxD) with C > A and D > B but received "focal(${text})".`);
  }
  return { x: left, y: top!, width: right! - left, height: bottom! - top! };
}

export const SUPPORTED_FILTERS = Object.keys(FILTERS);

const CALL = /^([a-z_]+)\(([^()]*)\)$/;

export function applyFilters(draft: ThumborDraft, filters: string): void {
  // Filters are separated by ":" after a ")"; a ":" inside the arguments (focal's AxB:CxD) follows a digit.
  for (const call of filters.split(/(?<=\)):/)) {
    const match = CALL.exec(call);
    if (!match) throw invalidOptions(`Expected name(arguments) in filters but received "${call}".`);
    const [, name = '', args = ''] = match;
    const filter = FILTERS[name];
    if (!filter) throw unsupportedFilter(`Filter "${name}" is not supported; supported filters: ${SUPPORTED_FILTERS.join(', ')}.`);
    filter(draft, args === '' ? [] : args.split(',').map((a) => a.trim()), name);
  }
}
