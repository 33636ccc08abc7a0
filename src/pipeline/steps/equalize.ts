/** Thumbor's equalize: each colour channel's histogram spread over 0–255; it needs the whole picture's histogram. */
import { wholePicture, type Step } from '../step';

export const equalize: Step = (input, { spec }) => {
  if (!spec.equalize) return undefined;
  return wholePicture(input, input, (image) => {
    const { data } = image;
    for (let c = 0; c < 3; c++) {
      const counts = new Uint32Array(256);
      for (let i = c; i < data.length; i += 4) counts[data[i]!]! += 1;
      const pixels = data.length / 4;
      let below = 0;
      const firstCount = counts.find((n) => n > 0) ?? 0;
      const map = new Uint8ClampedArray(256);
      for (let v = 0; v < 256; v++) {
        below += counts[v]!;
        // The usual CDF mapping, the darkest level kept at 0.
        map[v] = pixels === firstCount ? v : Math.round(((below - firstCount) / (pixels - firstCount)) * 255);
      }
      for (let i = c; i < data.length; i += 4) data[i] = map[data[i]!]!;
    }
    return image;
  });
};
