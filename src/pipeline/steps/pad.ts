/** For fit=pad: places the scaled image on a canvas of the requested size, row by row. */
import { packRgba, TRANSPARENT } from './pixels';
import type { Step } from '../step';

export const pad: Step = (input, { spec, geometry: { canvas } }) => {
  if (!canvas || (canvas.width === input.width && canvas.height === input.height)) return undefined;
  return {
    output: { width: canvas.width, height: canvas.height },
    memory: canvas.width * 4,
    connect(next) {
      const row = new Uint32Array(canvas.width);
      const rowBytes = new Uint8Array(row.buffer);
      const background = packRgba(spec.background ?? TRANSPARENT);
      let y = 0;
      const border = (until: number) => {
        row.fill(background);
        for (; y < until; y++) next.write(rowBytes, 1);
      };
      return {
        write(band, count) {
          if (y < canvas.y) border(canvas.y);
          const pixels = new Uint32Array(band.buffer, band.byteOffset, input.width * count);
          for (let r = 0; r < count; r++, y++) {
            row.fill(background);
            row.set(pixels.subarray(r * input.width, (r + 1) * input.width), canvas.x);
            next.write(rowBytes, 1);
          }
        },
        close() {
          border(canvas.height);
          return next.close();
        },
        abort: () => next.abort(),
      };
    },
  };
};
