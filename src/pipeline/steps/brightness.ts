/** Adds a percentage of full scale to every colour channel (Thumbor's brightness filter). */
import { inPlace, type Step } from '../step';
import { channelTable, mapChannels } from './pixels';

export const brightness: Step = (input, { spec }) => {
  if (!spec.brightness) return undefined;
  const offset = (spec.brightness * 255) / 100;
  const table = channelTable((value) => value + offset);
  return inPlace(input, ({ data }) => mapChannels(data, table));
};
