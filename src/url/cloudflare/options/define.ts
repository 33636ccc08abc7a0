/**
 * How a `/img/` option is declared — its names, how its value is read, what
 * it does to the spec being assembled, its documentation (a test checks the
 * README's options table against `doc`) — and the value syntaxes several
 * options share.
 */
import * as v from 'valibot';
import { parseColor } from '../../../spec/color';
import type { Gravity, Overlay, Rgba, TransformSpec, TrimBorder, TrimEdges } from '../../../spec/transform-spec';

/**
 * A spec still being assembled, in Cloudflare's terms: sizes and gravity
 * refer to the picture after `flip` and `rotate`, brightness and contrast are
 * multipliers. parse.ts turns it into the spec at the end (dpr folded in).
 */
export interface SpecDraft extends TransformSpec {
  dpr: number;
  brightness?: number;
  contrast?: number;
  /** trim and its dotted options, gathered in any order; parse.ts checks they agree. */
  trimEdges?: Partial<TrimEdges>;
  trimBorder?: Partial<TrimBorder['border']>;
  /** draw and its dotted options; sizes and offsets in CSS pixels (dpr applies). */
  overlay?: Partial<Overlay>;
  /** border.* in CSS pixels (dpr applies), each side or all. */
  frame?: { color?: Rgba; width?: number; top?: number; right?: number; bottom?: number; left?: number };
}

export interface OptionDoc {
  values: string;
  default: string;
  example: string;
}

export interface OptionDef<T> {
  name: string;
  aliases: readonly string[];
  /** A function when the bounds are configuration: it gets MAX_OUTPUT_DIMENSION. */
  schema: v.GenericSchema<string, T> | ((maxOutputDimension: number) => v.GenericSchema<string, T>);
  apply: (draft: SpecDraft, value: T) => void;
  doc: OptionDoc;
}

// Keeps each entry's value type tied to its own apply().
export const option = <T>(def: OptionDef<T>): OptionDef<unknown> => def as OptionDef<unknown>;

export const wholeNumber = (min: number, max: number, message = `a whole number from ${min} to ${max}`) =>
  v.pipe(v.string(), v.regex(/^\d+$/, message), v.transform(Number), v.minValue(min, message), v.maxValue(max, message));

/** A decimal from `min` to `max`. */
export const decimal = (min: number, max: number) => {
  const message = `a number from ${min} to ${max}`;
  return v.pipe(v.string(), v.regex(/^\d+(\.\d+)?$/, message), v.transform(Number), v.minValue(min, message), v.maxValue(max, message));
};

/** Upper bound before limits from config are applied; keeps arithmetic finite. */
export const MAX_DIMENSION_SYNTAX = 100_000;

const fraction = v.pipe(v.string(), v.regex(/^(0(\.\d+)?|1(\.0+)?)$/), v.transform(Number));

const SIDE_GRAVITY: Record<string, Gravity> = {
  center: { x: 0.5, y: 0.5 },
  left: { x: 0, y: 0.5 },
  right: { x: 1, y: 0.5 },
  top: { x: 0.5, y: 0 },
  bottom: { x: 0.5, y: 1 },
};

/** `face` needs a face detector, which edgepix does not ship: it reads as `auto`, saliency including skin tones. */
const CONTENT_GRAVITY = new Set(['auto', 'face']);

export const gravitySchema = v.pipe(
  v.string(),
  v.transform((text): Gravity | 'auto' | undefined => {
    if (CONTENT_GRAVITY.has(text)) return 'auto';
    const side = SIDE_GRAVITY[text];
    if (side) return side;
    const [x, y, extra] = text.split('x');
    const fx = v.safeParse(fraction, x ?? '');
    const fy = v.safeParse(fraction, y ?? '');
    return fx.success && fy.success && extra === undefined ? { x: fx.output, y: fy.output } : undefined;
  }),
  v.check((g) => g !== undefined, 'auto, face, center, left, right, top, bottom, or XxY with fractions from 0 to 1'),
  v.transform((g) => g as Gravity | 'auto'),
);

export const colorSchema = v.pipe(
  v.string(),
  v.transform(parseColor),
  v.check((c) => c !== undefined, 'a colour: #rrggbb, #rgb, #rrggbbaa, rgb(r,g,b), rgba(r,g,b,a) or a name'),
  v.transform((c) => c!),
);

export const TURNS = v.pipe(v.picklist(['90', '180', '270'], 'one of 90, 180, 270'), v.transform((turn) => Number(turn) as 90 | 180 | 270));
