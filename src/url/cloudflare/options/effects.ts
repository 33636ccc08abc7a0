/** Colour and detail: the tone table's inputs, blur and sharpen. */
import { decimal, option } from './define';

export const EFFECT_OPTIONS = [
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
];
