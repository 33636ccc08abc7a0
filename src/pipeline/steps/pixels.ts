/** Pixel packing shared by steps that fill or blend colours. */
import type { Rgba } from '../../spec/transform-spec';

export const TRANSPARENT: Rgba = { r: 0, g: 0, b: 0, a: 0 };
export const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 255 };

// RGBA bytes read as one little-endian word (every Workers host is little-endian).
export const packRgba = ({ r, g, b, a }: Rgba) => ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;

/** A curve as a 256-entry table; results clamp to 0–255. */
export const channelTable = (curve: (value: number) => number) =>
  new Uint8ClampedArray(256).map((_, value) => Math.round(curve(value)));
