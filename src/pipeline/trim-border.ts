/**
 * Cloudflare's trim=border and Thumbor's trim: how many pixels along each
 * edge are of one colour (given, or a corner pixel's) within a tolerance;
 * and Thumbor's fill(auto): the mean colour of the edges. Colours are
 * compared premultiplied, so every fully transparent pixel is one colour
 * whatever its RGB says.
 */
import type { RgbaImage } from '../codecs/types';
import type { Rgba, TrimBorder, TrimEdges } from '../spec/transform-spec';

/** The largest channel difference between two pixels, alpha-weighted. */
function difference(data: Uint8ClampedArray, i: number, [r, g, b, a]: readonly number[]): number {
  const alpha = data[i + 3]!;
  const channel = (c: number, reference: number) => Math.abs((data[i + c]! * alpha - reference * a!) / 255);
  return Math.max(channel(0, r!), channel(1, g!), channel(2, b!), Math.abs(alpha - a!));
}

/** Edges of `picture` (in its pixels) that are all border; none when the whole picture is. */
export function borderEdges(picture: RgbaImage, { color, tolerance, corner }: TrimBorder['border']): TrimEdges {
  const { width, height, data } = picture;
  const cornerAt = corner === 'bottom-right' ? (width * height - 1) * 4 : 0;
  const reference = color ? [color.r, color.g, color.b, color.a] : [...data.subarray(cornerAt, cornerAt + 4)];
  const isBorder = (x: number, y: number) => difference(data, (y * width + x) * 4, reference) <= tolerance;
  const rowIsBorder = (y: number) => Array.from({ length: width }, (_, x) => x).every((x) => isBorder(x, y));
  const columnIsBorder = (x: number, top: number, bottom: number) => Array.from({ length: bottom - top }, (_, k) => top + k).every((y) => isBorder(x, y));
  let top = 0;
  while (top < height && rowIsBorder(top)) top++;
  if (top === height) return { top: 0, right: 0, bottom: 0, left: 0 };
  let bottom = 0;
  while (rowIsBorder(height - 1 - bottom)) bottom++;
  let left = 0;
  while (columnIsBorder(left, top, height - bottom)) left++;
  let right = 0;
  while (columnIsBorder(width - 1 - right, top, height - bottom)) right++;
  return { top, right, bottom, left };
}

/** The mean colour of the picture's outermost rows and columns, opaque. */
export function edgeColour({ width, height, data }: RgbaImage): Rgba {
  const sums = [0, 0, 0];
  let count = 0;
  for (let y = 0; y < height; y++) {
    const edgeRow = y === 0 || y === height - 1;
    for (let x = 0; x < width; x += edgeRow || width === 1 ? 1 : width - 1) {
      for (let c = 0; c < 3; c++) sums[c]! += data[(y * width + x) * 4 + c]!;
      count++;
    }
  }
  const [r, g, b] = sums.map((sum) => Math.round(sum / count)) as [number, number, number];
  return { r, g, b, a: 255 };
}
