/** EXIF orientation helpers shared by planning and the orient step. */
import type { Size } from './geometry';

/** Orientations 5–8 rotate by a quarter turn, swapping width and height. */
export const swapsAxes = (orientation: number) => orientation >= 5 && orientation <= 8;

export const orientSize = (size: Size, orientation: number): Size =>
  swapsAxes(orientation) ? { width: size.height, height: size.width } : size;
