/** Originals made in the test from known pixels (encoded by jsquash's PNG encoder, never edgepix's), and how to read them back. */
import { putOriginal, uniqueKey } from './helpers';
import { oracleEncodePng, type Picture } from './oracle';

export const RED = [255, 0, 0];
export const GREEN = [0, 255, 0];
export const BLUE = [0, 0, 255];
export const WHITE = [255, 255, 255];

/** 40×20: red top-left, green top-right, blue bottom-left, white bottom-right quadrants. */
export function quadrants(): Picture {
  const width = 40;
  const height = 20;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = y < height / 2 ? (x < width / 2 ? RED : GREEN) : x < width / 2 ? BLUE : WHITE;
      data.set([...colour, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

/** A horizontal ramp 0…255 over 64×8, grey, and a colourful copy (r = ramp, g = 255 − ramp, b = 128). */
export function ramps(): { grey: Picture; colour: Picture } {
  const make = (pixel: (v: number) => number[]) => {
    const data = new Uint8ClampedArray(64 * 8 * 4);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 64; x++) data.set([...pixel(Math.round((x * 255) / 63)), 255], (y * 64 + x) * 4);
    return { width: 64, height: 8, data };
  };
  return { grey: make((v) => [v, v, v]), colour: make((v) => [v, 255 - v, 128]) };
}

export async function stored(picture: Picture) {
  return putOriginal(uniqueKey('made.png'), await oracleEncodePng(picture));
}

/** The RGB of one pixel. */
export const pixel = (p: Picture, x: number, y: number) => [...p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 3)];

/** 400×200 flat grey, with a colourful checkerboard subject at x 300–380, y 60–140: far off-centre. */
export function offCentre(): Picture {
  const width = 400;
  const height = 200;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= 300 && x < 380 && y >= 60 && y < 140;
      const colour = !inside ? [128, 128, 128] : ((x >> 3) + (y >> 3)) % 2 ? [230, 160, 120] : [200, 30, 40];
      data.set([...colour, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

/** Share of the picture's pixels that are not the grey background. */
export const subjectShare = (p: Picture) =>
  Array.from({ length: p.width * p.height }, (_, i) => Math.abs(p.data[i * 4]! - 128) + Math.abs(p.data[i * 4 + 1]! - 128) > 20).filter(Boolean).length / (p.width * p.height);

