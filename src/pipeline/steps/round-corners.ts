/**
 * Thumbor's round_corner: each corner outside an ellipse of the given radii
 * is filled with the colour (transparent too), blended by how much of the
 * pixel lies outside, so the curve is smooth. Row by row: only rows within
 * a radius of the top or bottom are touched.
 */
import { inPlace, type Step } from '../step';

/** Sub-samples per pixel side for the coverage of the curve. */
const SAMPLES = 4;

/** How much of pixel (x, y) lies outside the corner ellipse whose centre is (cx, cy), on the corner's side. */
function outside(x: number, y: number, cx: number, cy: number, rx: number, ry: number): number {
  let out = 0;
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) {
      const dx = (x + (sx + 0.5) / SAMPLES - cx) / rx;
      const dy = (y + (sy + 0.5) / SAMPLES - cy) / ry;
      if (dx * dx + dy * dy > 1) out++;
    }
  }
  return out / (SAMPLES * SAMPLES);
}

export const roundCorners: Step = (input, { spec }) => {
  const corners = spec.roundCorners;
  if (!corners) return undefined;
  const rx = Math.min(corners.x, input.width / 2);
  const ry = Math.min(corners.y, input.height / 2);
  const fill = [corners.color.r, corners.color.g, corners.color.b, corners.color.a];
  let y = 0;
  return inPlace(input, ({ data, width, height }) => {
    for (let row = 0; row < height; row++, y++) {
      const cy = y < ry ? ry : y >= input.height - ry ? input.height - ry : undefined;
      if (cy === undefined) continue;
      for (const [from, to, cx] of [[0, Math.ceil(rx), rx], [Math.floor(input.width - rx), input.width, input.width - rx]] as const) {
        for (let x = from; x < to; x++) {
          const share = outside(x, y, cx, cy, rx, ry);
          if (share === 0) continue;
          const i = (row * width + x) * 4;
          for (let c = 0; c < 4; c++) data[i + c] = data[i + c]! + share * (fill[c]! - data[i + c]!);
        }
      }
    }
  });
};
