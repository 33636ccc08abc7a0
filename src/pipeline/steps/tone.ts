/** Thumbor's rgb shift, brightness and contrast (one linear map) and gamma: one table per channel; alpha is kept. */
import { inPlace, type Step } from '../step';
import { channelTable } from './pixels';

export const tone: Step = (input, { spec }) => {
  const { linear, gamma, channelShift } = spec;
  if (!linear && !gamma && !channelShift) return undefined;
  const { a, b } = linear ?? { a: 1, b: 0 };
  const exponent = 1 / (gamma ?? 1);
  // Each stage clamps: a power of a negative value has no meaning, and Thumbor clamps after its rgb shift.
  const clamp = (value: number) => Math.min(255, Math.max(0, value));
  const tableFor = (percent = 0) => channelTable((value) => 255 * (clamp(a * clamp(value + (percent * 255) / 100) + b) / 255) ** exponent);
  const [red, green, blue] = [tableFor(channelShift?.r), tableFor(channelShift?.g), tableFor(channelShift?.b)];
  return inPlace(input, ({ data }) => {
    for (let i = 0; i < data.length; i += 4) {
      data[i] = red[data[i]!]!;
      data[i + 1] = green[data[i + 1]!]!;
      data[i + 2] = blue[data[i + 2]!]!;
    }
  });
};
