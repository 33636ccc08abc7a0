/**
 * Composites transparent pixels over the background: always for JPEG, which
 * has no alpha, and for any format when a background was asked for.
 */
import type { Rgba } from '../../spec/transform-spec';
import { inPlace, type Step } from '../step';
import { WHITE } from './pixels';

/** A translucent background cannot show through JPEG: settle it over white first. */
function opaque(background: Rgba): Rgba {
  const a = background.a / 255;
  const mix = (c: number) => Math.round(c * a + 255 * (1 - a));
  return { r: mix(background.r), g: mix(background.g), b: mix(background.b), a: 255 };
}

function composite(data: Uint8ClampedArray, bg: Rgba): void {
  const bgAlpha = bg.a / 255;
  for (let i = 3; i < data.length; i += 4) {
    const a = data[i]! / 255;
    if (a === 1) continue;
    // Porter-Duff "source over background" with straight alpha.
    const under = bgAlpha * (1 - a);
    const outA = a + under;
    if (outA === 0) continue;
    data[i - 3] = (data[i - 3]! * a + bg.r * under) / outA;
    data[i - 2] = (data[i - 2]! * a + bg.g * under) / outA;
    data[i - 1] = (data[i - 1]! * a + bg.b * under) / outA;
    data[i] = outA * 255;
  }
}

export const flatten: Step = (input, { spec }) => {
  const needsOpaque = spec.format === 'jpeg';
  if (!needsOpaque && !spec.background) return undefined;
  const bg = needsOpaque ? opaque(spec.background ?? WHITE) : spec.background!;
  return inPlace(input, ({ data }) => composite(data, bg));
};
