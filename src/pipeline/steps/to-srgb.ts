/** Converts from the original's ICC profile to sRGB, row by row (pipeline/colour-profile.ts); outputs carry no profile. */
import { inPlace, type Step } from '../step';

/** Linear light 0–1 in 4096 steps → 8-bit sRGB: finer than 8 bits where the curve is steep. */
const ENCODE_STEPS = 4095;
const encode = Uint8ClampedArray.from({ length: ENCODE_STEPS + 1 }, (_, i) => {
  const x = i / ENCODE_STEPS;
  return 255 * (x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055);
});

export const toSrgb: Step = (input, { colour }) => {
  if (!colour) return undefined;
  const [red, green, blue] = colour.toLinear;
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = colour.matrix as unknown as number[];
  const code = (linear: number) => encode[Math.round(Math.min(1, Math.max(0, linear)) * ENCODE_STEPS)]!;
  return inPlace(input, ({ data }) => {
    for (let i = 0; i < data.length; i += 4) {
      const r = red[data[i]!]!;
      const g = green[data[i + 1]!]!;
      const b = blue[data[i + 2]!]!;
      data[i] = code(m0! * r + m1! * g + m2! * b);
      data[i + 1] = code(m3! * r + m4! * g + m5! * b);
      data[i + 2] = code(m6! * r + m7! * g + m8! * b);
    }
  });
};
