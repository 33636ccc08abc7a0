/** Pixel sizes and rectangles, and the clamp every geometry needs. */
export interface Size {
  width: number;
  height: number;
}

export interface Rect extends Size {
  x: number;
  y: number;
}

export const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

export const wholeRect = (size: Size): Rect => ({ x: 0, y: 0, ...size });
