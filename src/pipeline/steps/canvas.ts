/** Places a picture on a larger canvas of one colour, row by row: fit=pad's canvas, and a border. */
import { rereadable } from '../../codecs/rows';
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
          const rows = rereadable(band); // before the first plain rows go on: they may grow the heap the band views
          if (y < canvas.y) plain(canvas.y);
          for (let r = 0; r < count; r++, y++) {
            const pixels = rows(r * input.width * 4, (r + 1) * input.width * 4);
            row.fill(fill);
            row.set(new Uint32Array(pixels.buffer, pixels.byteOffset, input.width), canvas.x);
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
