/** What is drawn over or around the output: an overlay (draw, draw.*) and a border (border.*). */
import * as v from 'valibot';
import { validateKey } from '../../../lib/keys';
import { FITS, type Gravity, type Overlay } from '../../../spec/transform-spec';
import { colorSchema, decimal, gravitySchema, MAX_DIMENSION_SYNTAX, option, TURNS, wholeNumber, type OptionDoc } from './define';

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

export const DECORATION_OPTIONS = [
  option({
    name: 'draw',
    aliases: [],
    schema: v.pipe(v.string(), v.transform(validateKey)),
    apply: (d, key) => (d.overlay = { ...d.overlay, key }),
    doc: { values: "an original's key drawn over the output (a comma in it written %2C), placed and sized by the draw.* options", default: 'none', example: 'draw=brand%2Flogo.png' },
  }),
  ...DRAW_OPTIONS,
  option({
    name: 'border.color',
    aliases: [],
    schema: colorSchema,
    apply: (d, value) => (d.frame = { ...d.frame, color: value }),
    doc: { values: 'CSS colour of the border around the output', default: 'black', example: 'border.color=%23ffffff' },
  }),
  borderSide('width'),
  ...BORDER_SIDES.map(borderSide),
];
