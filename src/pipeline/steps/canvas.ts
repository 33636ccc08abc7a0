/** Places a picture on a larger canvas of one colour, row by row: fit=pad's canvas, and a border. */
import type { Rect, Size } from '../../lib/size';
import type { Rgba } from '../../spec/transform-spec';
import type { Stage } from '../step';
import { packRgba } from './pixels';

/** `canvas` is the output's size and where the input's top-left corner sits on it. */
export function onCanvas(input: Size, canvas: Rect, colour: Rgba): Stage {
  return {
    output: { width: canvas.width, height: canvas.height },
    memory: canvas.width * 4,
    connect(next) {
      const row = new Uint32Array(canvas.width);
      const rowBytes = new Uint8Array(row.buffer);
      const fill = packRgba(colour);
      let y = 0;
      const plain = (until: number) => {
        row.fill(fill);
        for (; y < until; y++) next.write(rowBytes, 1);
      };
      return {
        write(band, count) {
          if (y < canvas.y) plain(canvas.y);
          const pixels = new Uint32Array(band.buffer, band.byteOffset, input.width * count);
          for (let r = 0; r < count; r++, y++) {
            row.fill(fill);
            row.set(pixels.subarray(r * input.width, (r + 1) * input.width), canvas.x);
            next.write(rowBytes, 1);
          }
        },
        close() {
          plain(canvas.height);
          return next.close();
        },
        abort: () => next.abort(),
      };
    },
  };
}
