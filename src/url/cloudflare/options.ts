/**
 * The `/img/<options>/<key>` vocabulary, modelled on Cloudflare Images'
 * URL options. Each entry owns its names, how its value is read, and its
 * documentation; a test checks the README's options table against `doc`.
 */
import * as v from 'valibot';
import { validateKey } from '../../lib/keys';
import { parseColor } from '../../spec/color';
import {
  FITS,
  OUTPUT_FORMATS,
  type Gravity,
  type Overlay,
  type RequestedFormat,
  type Rgba,
  type TransformSpec,
  type TrimBorder,
  type TrimEdges,
} from '../../spec/transform-spec';

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

/** `face` needs a face detector, which edgepix does not ship: it reads as `auto`, saliency including skin tones. */
const CONTENT_GRAVITY = new Set(['auto', 'face']);

const gravitySchema = v.pipe(
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

const colorSchema = v.pipe(
  v.string(),
  v.transform(parseColor),
  v.check((c) => c !== undefined, 'a colour: #rrggbb, #rgb, #rrggbbaa, rgb(r,g,b), rgba(r,g,b,a) or a name'),
  v.transform((c) => c!),
);

const FORMAT_NAMES = ['auto', ...OUTPUT_FORMATS, 'baseline-jpeg'] as const;
const formatSchema = v.pipe(
  v.string(),
  v.transform((f) => (f === 'jpg' ? 'jpeg' : f)),
  v.picklist(FORMAT_NAMES, `one of ${FORMAT_NAMES.join(', ')}`),
);

/** Cloudflare's perceptual quality names, as numbers of our encoders' scale (Cloudflare does not publish its own). */
const QUALITY_NAMES: Record<string, number> = { high: 90, 'medium-high': 80, 'medium-low': 65, low: 50 };
const qualitySchema = v.union(
  [v.pipe(v.picklist(Object.keys(QUALITY_NAMES)), v.transform((name) => QUALITY_NAMES[name]!)), wholeNumber(1, 100)],
  `1 to 100, or ${Object.keys(QUALITY_NAMES).join(', ')}`,
);

/** A decimal from `min` to `max`. */
const decimal = (min: number, max: number) => {
  const message = `a number from ${min} to ${max}`;
  return v.pipe(v.string(), v.regex(/^\d+(\.\d+)?$/, message), v.transform(Number), v.minValue(min, message), v.maxValue(max, message));
};

/** Upper bound before limits from config are applied; keeps arithmetic finite. */
const MAX_DIMENSION_SYNTAX = 100_000;

const FLIPS = { h: [true, false], v: [false, true], hv: [true, true] } as const;

const TRIM_EDGES = v.pipe(
  v.string(),
  v.regex(/^\d+;\d+;\d+;\d+$/, 'border, or top;right;bottom;left in pixels'),
  v.transform((text) => {
    const [top, right, bottom, left] = text.split(';').map(Number) as [number, number, number, number];
    return { top, right, bottom, left };
  }),
);
const trimSchema = v.union([v.literal('border'), TRIM_EDGES], 'border, or top;right;bottom;left in pixels');

const MAX_TRIM = 100_000;
/** Wide enough for any frame; a border can never make the output more than twice this past the box. */
const MAX_BORDER = 1000;
const BORDER_SIDES = ['top', 'right', 'bottom', 'left'] as const;

/** border.<side>, or border.width for every side. */
const borderSide = (name: 'width' | (typeof BORDER_SIDES)[number]) => option({
  name: `border.${name}`,
  aliases: [],
  schema: wholeNumber(0, MAX_BORDER),
  apply: (d, value) => (d.frame = { ...d.frame, [name]: value }),
  doc: {
    values: `pixels, 0 to ${MAX_BORDER} (times dpr): ${name === 'width' ? 'every side' : `the ${name} side, over border.width`}`,
    default: '0',
    example: `border.${name}=${name === 'width' ? 10 : 4}`,
  },
});
const TURNS = v.pipe(v.picklist(['90', '180', '270'], 'one of 90, 180, 270'), v.transform((turn) => Number(turn) as 90 | 180 | 270));

/** One of draw's dotted options, into the draft's overlay. */
const drawOption = <T>(name: string, schema: v.GenericSchema<string, T>, set: (value: T) => Partial<Overlay>, doc: OptionDoc) =>
  option({ name: `draw.${name}`, aliases: [], schema, apply: (d, value) => (d.overlay = { ...d.overlay, ...set(value) }), doc });

const DRAW_OPTIONS = [
  drawOption('width', wholeNumber(1, MAX_DIMENSION_SYNTAX), (width) => ({ width }), { values: 'pixels (times dpr): the overlay fits this box', default: "the overlay's own", example: 'draw.width=200' }),
  drawOption('height', wholeNumber(1, MAX_DIMENSION_SYNTAX), (height) => ({ height }), { values: 'pixels (times dpr)', default: "the overlay's own", example: 'draw.height=100' }),
  drawOption('fit', v.picklist(FITS, `one of ${FITS.join(', ')}`), (fit) => ({ fit }), { values: 'as fit, for the overlay in its box', default: 'contain', example: 'draw.fit=cover' }),
  drawOption('gravity', v.pipe(gravitySchema, v.check((g) => g !== 'auto', 'a side or XxY')), (gravity) => ({ gravity: gravity as Gravity }), { values: 'where it goes on an axis without an offset: a side or XxY', default: 'center', example: 'draw.gravity=bottom' }),
  drawOption('opacity', decimal(0, 1), (opacity) => ({ opacity }), { values: '0 to 1', default: '1', example: 'draw.opacity=0.5' }),
  drawOption('repeat', v.picklist(['true', 'x', 'y'], 'true, x or y'), (repeat) => ({ repeat: repeat === 'true' ? ('both' as const) : repeat }), { values: 'true (tile it), x or y (a strip)', default: 'none', example: 'draw.repeat=true' }),
  ...(['top', 'left', 'bottom', 'right'] as const).map((edge) =>
    drawOption(edge, wholeNumber(0, MAX_DIMENSION_SYNTAX), (offset) => ({ [edge]: offset }), { values: `pixels (times dpr) from the output's ${edge} edge`, default: 'none', example: `draw.${edge}=20` })),
  drawOption('background', colorSchema, (background) => ({ background }), { values: "CSS colour under the overlay's transparency", default: 'none', example: 'draw.background=white' }),
  drawOption('rotate', TURNS, (rotate) => ({ rotate }), { values: '90, 180, 270: the overlay turned clockwise', default: 'none', example: 'draw.rotate=90' }),
];

/** One of trim's dotted options: a number of pixels into the draft's edges. */
const trimSide = (name: 'width' | 'height' | 'left' | 'top', min: number, what: string) => option({
  name: `trim.${name}`,
  aliases: [],
  schema: wholeNumber(min, MAX_TRIM),
  apply: (d, value) => (d.trimEdges = { ...d.trimEdges, [name]: value }),
  doc: { values: `pixels, ${min} to ${MAX_TRIM}: ${what}`, default: name === 'left' || name === 'top' ? '0' : 'the rest', example: `trim.${name}=${name === 'left' || name === 'top' ? 20 : 400}` },
});


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
    apply: (d, value) => {
      d.smart = value === 'auto' || undefined;
      if (value !== 'auto') d.gravity = value;
    },
    doc: { values: 'auto (by content), face (as auto), center, left, right, top, bottom, XxY (fractions)', default: 'center', example: 'gravity=0.5x0.2' },
  }),
  option({
    name: 'quality',
    aliases: ['q'],
    schema: qualitySchema,
    apply: (d, value) => (d.quality = value),
    doc: { values: '1 to 100; high (90), medium-high (80), medium-low (65), low (50)', default: 'jpeg 85, webp 85, avif 60', example: 'quality=75' },
  }),
  option({
    name: 'onerror',
    aliases: [],
    schema: v.picklist(['redirect'], 'redirect'),
    apply: (d) => (d.onErrorRedirect = true),
    doc: { values: "redirect: a transform that fails answers 302 to the original's own URL — only for an http origin's original that may be served unsigned", default: 'the error', example: 'onerror=redirect' },
  }),
  option({
    name: 'slow-connection-quality',
    aliases: ['scq'],
    schema: qualitySchema,
    apply: (d, value) => (d.slowQuality = value),
    doc: { values: 'as quality: used instead when the client hints say the connection is slow (Save-Data: on, ECT 2G–3G, RTT over 150 ms, Downlink under 5 Mbit/s)', default: 'none', example: 'scq=50' },
  }),
  option({
    name: 'format',
    aliases: ['f'],
    schema: formatSchema,
    apply: (d, value) => {
      d.format = (value === 'baseline-jpeg' ? 'jpeg' : value) as RequestedFormat;
      d.baseline = value === 'baseline-jpeg' || undefined;
    },
    doc: { values: 'auto, avif, webp, jpeg (jpg), baseline-jpeg, png, gif; json (see below)', default: "the original's format", example: 'format=auto' },
  }),
  option({
    name: 'compression',
    aliases: [],
    schema: v.picklist(['fast'], 'fast'),
    apply: (d) => (d.fastCompression = true),
    doc: { values: 'fast: with format=auto, JPEG (PNG if transparent) instead of AVIF or WebP — the quickest to encode', default: 'none', example: 'compression=fast' },
  }),
  option({
    name: 'trim',
    aliases: [],
    schema: trimSchema,
    apply: (d, value) => {
      if (value === 'border') d.trimBorder = { ...d.trimBorder };
      else d.trimEdges = { ...d.trimEdges, ...value };
    },
    doc: { values: 'top;right;bottom;left in pixels of the original, or border (edges of one colour)', default: 'none', example: 'trim=20;0;20;0' },
  }),
  trimSide('width', 1, 'keep this much from the left edge'),
  trimSide('height', 1, 'keep this much from the top edge'),
  trimSide('left', 0, 'cut this much off the left'),
  trimSide('top', 0, 'cut this much off the top'),
  option({
    name: 'trim.border.color',
    aliases: [],
    schema: colorSchema,
    apply: (d, value) => (d.trimBorder = { ...d.trimBorder, color: value }),
    doc: { values: "CSS colour of the border to cut", default: "the top-left pixel's", example: 'trim.border.color=%23ffffff' },
  }),
  option({
    name: 'trim.border.tolerance',
    aliases: [],
    schema: wholeNumber(0, 255),
    apply: (d, value) => (d.trimBorder = { ...d.trimBorder, tolerance: value }),
    doc: { values: '0 to 255: how far a channel may stray from the border colour', default: '10', example: 'trim.border.tolerance=30' },
  }),
  option({
    name: 'trim.border.keep',
    aliases: [],
    schema: wholeNumber(0, MAX_TRIM),
    apply: (d, value) => (d.trimBorder = { ...d.trimBorder, keep: value }),
    doc: { values: 'pixels of the border left on each side', default: '0', example: 'trim.border.keep=4' },
  }),
  option({
    name: 'border.color',
    aliases: [],
    schema: colorSchema,
    apply: (d, value) => (d.frame = { ...d.frame, color: value }),
    doc: { values: 'CSS colour of the border around the output', default: 'black', example: 'border.color=%23ffffff' },
  }),
  borderSide('width'),
  ...BORDER_SIDES.map(borderSide),
  option({
    name: 'draw',
    aliases: [],
    schema: v.pipe(v.string(), v.transform(validateKey)),
    apply: (d, key) => (d.overlay = { ...d.overlay, key }),
    doc: { values: "an original's key drawn over the output (a comma in it written %2C), placed and sized by the draw.* options", default: 'none', example: 'draw=brand%2Flogo.png' },
  }),
  ...DRAW_OPTIONS,
  option({
    name: 'metadata',
    aliases: [],
    schema: v.picklist(['copyright', 'keep', 'none'], 'one of copyright, keep, none'),
    apply: (d, value) => (d.metadata = value === 'copyright' ? undefined : value),
    doc: { values: "copyright (the Copyright tag alone), keep (all EXIF, GPS too), none — JPEG outputs; WebP and PNG carry none", default: 'copyright', example: 'metadata=keep' },
  }),
  option({
    name: 'rotate',
    aliases: [],
    schema: TURNS,
    apply: (d, value) => (d.rotate = value),
    doc: { values: '90, 180, 270 (degrees clockwise; width, height and gravity refer to the turned picture)', default: 'none', example: 'rotate=90' },
  }),
  option({
    name: 'flip',
    aliases: [],
    schema: v.picklist(['h', 'v', 'hv'], 'one of h, v, hv'),
    apply: (d, value) => ([d.flipHorizontal, d.flipVertical] = FLIPS[value].map((on) => on || undefined)),
    doc: { values: 'h, v, hv (mirrored before rotate)', default: 'none', example: 'flip=h' },
  }),
  option({
    name: 'brightness',
    aliases: [],
    schema: decimal(0, 10),
    apply: (d, value) => (d.brightness = value),
    doc: { values: 'multiplier, 0 to 10 (1 unchanged, 0.5 half as bright)', default: '1', example: 'brightness=1.2' },
  }),
  option({
    name: 'contrast',
    aliases: [],
    schema: decimal(0, 10),
    apply: (d, value) => (d.contrast = value),
    doc: { values: 'multiplier, 0 to 10 (1 unchanged, 0 flat grey)', default: '1', example: 'contrast=1.5' },
  }),
  option({
    name: 'gamma',
    aliases: [],
    schema: decimal(0, 10),
    apply: (d, value) => (d.gamma = value === 0 ? undefined : value),
    doc: { values: 'exposure, 0 to 10 (1 unchanged, 2 lighter, 0.5 darker; 0 ignored)', default: '1', example: 'gamma=1.5' },
  }),
  option({
    name: 'saturation',
    aliases: [],
    schema: decimal(0, 10),
    apply: (d, value) => (d.saturation = value),
    doc: { values: 'multiplier, 0 to 10 (1 unchanged, 0 greyscale)', default: '1', example: 'saturation=0' },
  }),
  option({
    name: 'blur',
    aliases: [],
    schema: decimal(0, 250),
    // Cloudflare's radius; the Gaussian's sigma is half of it, in output pixels.
    apply: (d, value) => (d.blur = value / 2 || undefined),
    doc: { values: 'radius, 0 to 250 output pixels (a Gaussian of half that sigma)', default: 'none', example: 'blur=20' },
  }),
  option({
    name: 'sharpen',
    aliases: [],
    schema: decimal(0, 10),
    // An unsharp mask of sigma 1 output pixel; Cloudflare recommends 1 for downscaled pictures.
    apply: (d, value) => (d.sharpen = value === 0 ? undefined : { amount: value / 2, radius: 1 }),
    doc: { values: '0 to 10 (an unsharp mask; 1 suits a downscaled picture)', default: 'none', example: 'sharpen=1' },
  }),
  option({
    name: 'dpr',
    aliases: [],
    schema: decimal(1, 4),
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
