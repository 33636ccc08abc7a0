/**
 * A quality search: the smallest file an encoder makes whose metric is at
 * least a floor. Quality is bisected for the lowest value that meets the
 * floor (the metric rises with quality, near enough); every attempt that
 * meets it is a candidate, and the smallest candidate wins.
 */
export interface Candidate {
  bytes: Uint8Array;
  quality: number;
  metric: number;
}

export interface Search {
  encode(quality: number): Promise<Uint8Array>;
  /** The metric of a file (higher is better). */
  judge(bytes: Uint8Array): Promise<number>;
  qualities: { min: number; max: number };
  /** The metric a candidate must reach. */
  floor: number;
}

/** The smallest candidate, or undefined when no quality in range reaches the floor. */
export async function searchQuality({ encode, judge, qualities, floor }: Search): Promise<Candidate | undefined> {
  let [low, high] = [qualities.min, qualities.max];
  let best: Candidate | undefined;
  while (low <= high) {
    const quality = Math.floor((low + high) / 2);
    const bytes = await encode(quality);
    const metric = await judge(bytes);
    if (metric >= floor) {
      if (!best || bytes.byteLength < best.bytes.byteLength) best = { bytes, quality, metric };
      high = quality - 1;
    } else {
      low = quality + 1;
    }
  }
  return best;
}
