/** trim and its dotted options: edges cut by number, or a border of one colour found. */
import * as v from 'valibot';
import { colorSchema, option, wholeNumber } from './define';

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

/** One of trim's dotted options: a number of pixels into the draft's edges. */
const trimSide = (name: 'width' | 'height' | 'left' | 'top', min: number, what: string) => option({
  name: `trim.${name}`,
  aliases: [],
  schema: wholeNumber(min, MAX_TRIM),
  apply: (d, value) => (d.trimEdges = { ...d.trimEdges, [name]: value }),
  doc: { values: `pixels, ${min} to ${MAX_TRIM}: ${what}`, default: name === 'left' || name === 'top' ? '0' : 'the rest', example: `trim.${name}=${name === 'left' || name === 'top' ? 20 : 400}` },
});

export const TRIM_OPTIONS = [
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
];
