/** Cuts the planned region, scaled to however large the decoder actually decoded; rows outside it are dropped as they arrive. */
import type { Step } from '../step';

export const crop: Step = (input, { unoriented: { source, region } }) => {
  const sx = input.width / source.width;
  const sy = input.height / source.height;
  const x = Math.min(Math.floor(region.x * sx), input.width - 1);
  const top = Math.min(Math.floor(region.y * sy), input.height - 1);
  const width = Math.max(1, Math.min(Math.round(region.width * sx), input.width - x));
  const height = Math.max(1, Math.min(Math.round(region.height * sy), input.height - top));
  if (width === input.width && height === input.height) return undefined;
  const inRow = input.width * 4;
  const outRow = width * 4;
  return {
    output: { width, height },
    memory: 0,
    connect(next) {
      let y = 0;
      let kept: Uint8Array | undefined;
      return {
        write(band, count) {
          const first = Math.max(y, top);
          const end = Math.min(y + count, top + height);
          if (first < end) {
            kept ??= new Uint8Array(outRow * count);
            if (kept.length < outRow * (end - first)) kept = new Uint8Array(outRow * (end - first));
            for (let row = first; row < end; row++) {
              const from = (row - y) * inRow + x * 4;
              kept.set(band.subarray(from, from + outRow), (row - first) * outRow);
            }
            next.write(kept, end - first);
          }
          y += count;
        },
        close: () => next.close(),
        abort: () => next.abort(),
      };
    },
  };
};
