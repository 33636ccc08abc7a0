/**
 * Brightness and contrast as one linear map of each colour channel (0–255),
 * in the order a URL asks for them: Thumbor adds a share of full scale and
 * spreads around mid-grey by its −100…100 curve; Cloudflare multiplies.
 * Composed, they are one lookup table in the pipeline.
 */
import type { Linear } from './transform-spec';

const MID_GREY = 128;

/** `then` applied after `first`. */
export const composeLinear = (first: Linear | undefined, then: Linear): Linear =>
  first ? { a: then.a * first.a, b: then.a * first.b + then.b } : then;

/** Thumbor's brightness(−100…100): adds that percent of full scale. */
export const shiftByPercent = (percent: number): Linear => ({ a: 1, b: (percent * 255) / 100 });

/** Thumbor's contrast(−100…100): the usual 259/255 curve around mid-grey (at ±255 it is a threshold). */
export function contrastByPercent(percent: number): Linear {
  const c = Math.min(254, (percent * 255) / 100);
  return aroundMidGrey((259 * (c + 255)) / (255 * (259 - c)));
}

/** Cloudflare's brightness: a multiplier (1 unchanged, 0.5 half as bright). */
export const scaleBy = (factor: number): Linear => ({ a: factor, b: 0 });

/** Cloudflare's contrast: a multiplier of each channel's distance from mid-grey. */
export const aroundMidGrey = (factor: number): Linear => ({ a: factor, b: MID_GREY * (1 - factor) });
