/** Options that size, crop, place and turn the picture. */
import * as v from 'valibot';
import { FITS } from '../../../spec/transform-spec';
import { colorSchema, decimal, gravitySchema, MAX_DIMENSION_SYNTAX, option, TURNS, wholeNumber } from './define';

/** The message names the configured limit; sizes up to it pass here and are checked after dpr (parse.ts). */
const pixels = (maxOutputDimension: number) =>
  wholeNumber(1, MAX_DIMENSION_SYNTAX, `a whole number of pixels from 1 to ${maxOutputDimension}`);

const FLIPS = { h: [true, false], v: [false, true], hv: [true, true] } as const;

export const GEOMETRY_OPTIONS = [
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
    name: 'dpr',
    aliases: [],
    schema: decimal(1, 4),
    apply: (d, value) => (d.dpr = value),
    doc: { values: '1 to 4', default: '1', example: 'dpr=2' },
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
    name: 'background',
    aliases: ['bg'],
    schema: colorSchema,
    apply: (d, value) => (d.background = value),
    doc: { values: 'CSS colour (#rrggbb, rgb(), name)', default: 'transparent; white when flattening to JPEG', example: 'background=%23ff0000' },
  }),
];
