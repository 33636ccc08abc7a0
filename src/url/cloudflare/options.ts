/**
 * The `/img/<options>/<key>` vocabulary, modelled on Cloudflare Images'
 * URL options. Each entry owns its names, how its value is read, and its
 * documentation; a test checks the README's options table against `doc`.
 */
import * as v from 'valibot';
import { parseColor } from '../../spec/color';
import {
  FITS,
  OUTPUT_FORMATS,
  type Gravity,
  type RequestedFormat,
  type TransformSpec,
} from '../../spec/transform-spec';

/** A spec still being assembled; dpr is folded into width/height at the end. */
export interface SpecDraft extends TransformSpec {
  dpr: number;
}

export interface OptionDoc {
  values: string;
  default: string;
  example: string;
}

interface OptionDef<T> {
  name: string;
  aliases: readonly string[];
  /** A function when the bounds are configuration: it gets MAX_OUTPUT_DIMENSION. */
  schema: v.GenericSchema<string, T> | ((maxOutputDimension: number) => v.GenericSchema<string, T>);
  apply: (draft: SpecDraft, value: T) => void;
  doc: OptionDoc;
}

// Keeps each entry's value type tied to its own apply().
const option = <T>(def: OptionDef<T>): OptionDef<unknown> => def as OptionDef<unknown>;

const wholeNumber = (min: number, max: number, message = `a whole number from ${min} to ${max}`) =>
  v.pipe(v.string(), v.regex(/^\d+$/, message), v.transform(Number), v.minValue(min, message), v.maxValue(max, message));

const fraction = v.pipe(v.string(), v.regex(/^(0(\.\d+)?|1(\.0+)?)$/), v.transform(Number));

const SIDE_GRAVITY: Record<string, Gravity> = {
  center: { x: 0.5, y: 0.5 },
  left: { x: 0, y: 0.5 },
  right: { x: 1, y: 0.5 },
  top: { x: 0.5, y: 0 },
  bottom: { x: 0.5, y: 1 },
};

const gravitySchema = v.pipe(
  v.string(),
  v.transform((text): Gravity | undefined => {
    const side = SIDE_GRAVITY[text];
    if (side) return side;
    const [x, y, extra] = text.split('x');
    const fx = v.safeParse(fraction, x ?? '');
    const fy = v.safeParse(fraction, y ?? '');
    return fx.success && fy.success && extra === undefined ? { x: fx.output, y: fy.output } : undefined;
  }),
  v.check((g) => g !== undefined, 'center, left, right, top, bottom, or XxY with fractions from 0 to 1'),
  v.transform((g) => g as Gravity),
);

const colorSchema = v.pipe(
  v.string(),
  v.transform(parseColor),
  v.check((c) => c !== undefined, 'a colour: #rrggbb, #rgb, #rrggbbaa, rgb(r,g,b), rgba(r,g,b,a) or a name'),
  v.transform((c) => c!),
);

const formatSchema = v.pipe(
  v.string(),
  v.transform((f) => (f === 'jpg' ? 'jpeg' : f)),
  v.picklist(['auto', ...OUTPUT_FORMATS], `one of auto, ${OUTPUT_FORMATS.join(', ')}`),
);

const dprSchema = v.pipe(
  v.string(),
  v.regex(/^\d+(\.\d+)?$/, 'a number from 1 to 4'),
  v.transform(Number),
  v.minValue(1, 'a number from 1 to 4'),
  v.maxValue(4, 'a number from 1 to 4'),
);

/** Upper bound before limits from config are applied; keeps arithmetic finite. */
const MAX_DIMENSION_SYNTAX = 100_000;

/** The message names the configured limit; sizes up to it pass here and are checked after dpr (parse.ts). */
const pixels = (maxOutputDimension: number) =>
  wholeNumber(1, MAX_DIMENSION_SYNTAX, `a whole number of pixels from 1 to ${maxOutputDimension}`);

export const OPTIONS: readonly OptionDef<unknown>[] = [
  option({
    name: 'width',
    aliases: ['w'],
    schema: pixels,
    apply: (d, value) => (d.width = value),
    doc: { values: 'pixels, 1 to MAX_OUTPUT_DIMENSION', default: 'original width', example: 'width=400' },
  }),
  option({
    name: 'height',
    aliases: ['h'],
    schema: pixels,
    apply: (d, value) => (d.height = value),
    doc: { values: 'pixels, 1 to MAX_OUTPUT_DIMENSION', default: 'original height', example: 'height=300' },
  }),
  option({
    name: 'fit',
    aliases: [],
    schema: v.picklist(FITS, `one of ${FITS.join(', ')}`),
    apply: (d, value) => (d.fit = value),
    doc: { values: FITS.join(', '), default: 'scale-down', example: 'fit=cover' },
  }),
  option({
    name: 'gravity',
    aliases: ['g'],
    schema: gravitySchema,
    apply: (d, value) => (d.gravity = value),
    doc: { values: 'center, left, right, top, bottom, XxY (fractions)', default: 'center', example: 'gravity=0.5x0.2' },
  }),
  option({
    name: 'quality',
    aliases: ['q'],
    schema: wholeNumber(1, 100),
    apply: (d, value) => (d.quality = value),
    doc: { values: '1 to 100', default: 'jpeg 85, webp 85, avif 60', example: 'quality=75' },
  }),
  option({
    name: 'format',
    aliases: ['f'],
    schema: formatSchema,
    apply: (d, value) => (d.format = value as RequestedFormat),
    doc: { values: 'auto, avif, webp, jpeg (jpg), png, gif', default: "the original's format", example: 'format=auto' },
  }),
  option({
    name: 'dpr',
    aliases: [],
    schema: dprSchema,
    apply: (d, value) => (d.dpr = value),
    doc: { values: '1 to 4', default: '1', example: 'dpr=2' },
  }),
  option({
    name: 'background',
    aliases: ['bg'],
    schema: colorSchema,
    apply: (d, value) => (d.background = value),
    doc: { values: 'CSS colour (#rrggbb, rgb(), name)', default: 'transparent; white when flattening to JPEG', example: 'background=%23ff0000' },
  }),
  option({
    name: 'anim',
    aliases: [],
    schema: v.picklist(['true', 'false'], 'true or false'),
    apply: (d, value) => {
      if (value === 'false') d.anim = false;
      else delete d.anim;
    },
    doc: { values: 'true, false (first frame only)', default: 'true', example: 'anim=false' },
  }),
];

const BY_NAME = new Map(OPTIONS.flatMap((o) => [o.name, ...o.aliases].map((n) => [n, o] as const)));

export const lookupOption = (name: string) => BY_NAME.get(name);
