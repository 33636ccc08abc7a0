/** Brightness, contrast (one linear map) and gamma as one table per channel value; alpha is kept. */
import { inPlace, type Step } from '../step';
import { channelTable, mapChannels } from './pixels';

export const tone: Step = (input, { spec }) => {
  const { linear, gamma } = spec;
  if (!linear && !gamma) return undefined;
  const { a, b } = linear ?? { a: 1, b: 0 };
  const exponent = 1 / (gamma ?? 1);
  // The linear map is clamped before gamma: a power of a negative value has no meaning.
  const table = channelTable((value) => 255 * (Math.min(255, Math.max(0, a * value + b)) / 255) ** exponent);
  return inPlace(input, ({ data }) => mapChannels(data, table));
};
