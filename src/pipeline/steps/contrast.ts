/** Stretches or flattens colour channels around mid-grey (the usual 259/255 contrast curve). */
import { inPlace, type Step } from '../step';
import { channelTable, mapChannels } from './pixels';

export const contrast: Step = (input, { spec }) => {
  if (!spec.contrast) return undefined;
  // -100…100 maps to -255…255, the range the curve is defined on (at 255 it is a threshold).
  const c = Math.min(254, (spec.contrast * 255) / 100);
  const factor = (259 * (c + 255)) / (255 * (259 - c));
  const table = channelTable((value) => factor * (value - 128) + 128);
  return inPlace(input, ({ data }) => mapChannels(data, table));
};
