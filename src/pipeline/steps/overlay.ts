/**
 * Draws the overlay picture (decoded beforehand at its size, see
 * delivery/transform.ts) over the output, row by row: source-over with
 * straight alpha, scaled by the overlay's opacity; tiled when it repeats.
 */
import type { RgbaImage, Size } from '../../codecs/types';
import type { Overlay } from '../../spec/transform-spec';
import { inPlace, type Step } from '../step';

/** Where the overlay's top-left corner goes on one axis: its edge offset, else the far one, else gravity. */
function place(near: number | undefined, far: number | undefined, fraction: number, room: number, size: number): number {
  if (near !== undefined) return near;
  if (far !== undefined) return room - size - far;
  return Math.round((room - size) * fraction);
}

/** The overlay's origins along one axis: one, or every tile covering [0, room) when it repeats that way. */
function origins(start: number, size: number, room: number, repeats: boolean): number[] {
  if (!repeats) return [start];
  const first = start - Math.ceil(start / size) * size;
  return Array.from({ length: Math.ceil((room - first) / size) }, (_, i) => first + i * size);
}

/** Blends overlay pixels [from, to) of overlay row `oy` onto output row `row` of `data`, the overlay's left edge at `ox`. */
function blendRow(data: Uint8ClampedArray, width: number, row: number, picture: RgbaImage, oy: number, ox: number, opacity: number) {
  const from = Math.max(0, -ox);
  const to = Math.min(picture.width, width - ox);
  for (let x = from; x < to; x++) {
    const s = (oy * picture.width + x) * 4;
    const alpha = (picture.data[s + 3]! / 255) * opacity;
    if (alpha === 0) continue;
    const d = (row * width + ox + x) * 4;
    const under = (data[d + 3]! / 255) * (1 - alpha);
    const out = alpha + under;
    for (let c = 0; c < 3; c++) data[d + c] = (picture.data[s + c]! * alpha + data[d + c]! * under) / out;
    data[d + 3] = out * 255;
  }
}

function overlayPosition(output: Size, picture: Size, overlay: Overlay) {
  return {
    x: place(overlay.left, overlay.right, overlay.gravity.x, output.width, picture.width),
    y: place(overlay.top, overlay.bottom, overlay.gravity.y, output.height, picture.height),
  };
}

export const overlay: Step = (input, { spec, overlay: picture }) => {
  const draw = spec.draw;
  if (!draw || !picture) return undefined;
  const { x, y } = overlayPosition(input, picture, draw);
  const columns = origins(x, picture.width, input.width, draw.repeat === 'both' || draw.repeat === 'x');
  const rows = origins(y, picture.height, input.height, draw.repeat === 'both' || draw.repeat === 'y');
  let top = 0;
  const stage = inPlace(input, ({ data, height }) => {
    for (let r = 0; r < height; r++) {
      const outputRow = top + r;
      for (const oy of rows) {
        if (outputRow < oy || outputRow >= oy + picture.height) continue;
        for (const ox of columns) blendRow(data, input.width, r, picture, outputRow - oy, ox, draw.opacity);
      }
    }
    top += height;
  });
  // The overlay's pixels are held for the whole pass.
  return { ...stage, memory: picture.width * picture.height * 4 };
};
