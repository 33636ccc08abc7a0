/** Colour and detail: the tone table's inputs, blur and sharpen. */
import { decimal, option } from './define';

/** brightness, contrast or saturation: a multiplier from 0 to 10 that the tone table applies. */
const multiplier = (name: 'brightness' | 'contrast' | 'saturation', atZero: string, example: string) =>
  option({
    name,
    aliases: [],
    schema: decimal(0, 10),
    apply: (d, value) => (d[name] = value),
    doc: { values: `multiplier, 0 to 10 (1 unchanged, ${atZero})`, default: '1', example: `${name}=${example}` },
  });

export const EFFECT_OPTIONS = [
  multiplier('brightness', '0.5 half as bright', '1.2'),
  multiplier('contrast', '0 flat grey', '1.5'),
  option({
    name: 'gamma',
    aliases: [],
    schema: decimal(0, 10),
    apply: (d, value) => (d.gamma = value === 0 ? undefined : value),
    doc: { values: 'exposure, 0 to 10 (1 unchanged, 2 lighter, 0.5 darker; 0 ignored)', default: '1', example: 'gamma=1.5' },
  }),
  multiplier('saturation', '0 greyscale', '0'),
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
