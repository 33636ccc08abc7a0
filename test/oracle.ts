/**
 * Test oracles that share no code with edgepix: decoders, a format sniffer, a
 * box downscale and the sharp-made references. Nothing here imports src/.
 *
 * Decoders are jsquash's own WASM builds — mozjpeg, libwebp, the Rust `png`
 * crate and libavif with dav1d — not edgepix's libjpeg-turbo, libwebp, PNG
 * and dav1d builds (src/codecs/). Each `.wasm` is imported as a precompiled
 * module (workerd compiles no WASM from bytes) and handed to jsquash's `init`.
 */
import { expect } from 'vitest';
import decodeAvif, { init as initAvif } from '@jsquash/avif/decode.js';
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import decodePng, { init as initPng } from '@jsquash/png/decode.js';
import encodePng from '@jsquash/png/encode.js';
import decodeWebp, { init as initWebp } from '@jsquash/webp/decode.js';

/** An RGBA picture (the same shape as edgepix's, declared here so the oracles import nothing from src/). */
export interface Picture {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export type Format = 'jpeg' | 'png' | 'webp' | 'avif';

/** jsquash's Emscripten `init(module, overrides)`; its typings omit the module argument. */
type EmscriptenInit = (module: WebAssembly.Module, overrides?: object) => Promise<void>;

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));

/** The format the file's magic bytes name (the same signatures as formats.test.ts checks), or undefined. */
export function magicFormat(bytes: Uint8Array): Format | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes[0] === 0x89 && ascii(bytes, 1, 4) === 'PNG') return 'png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (ascii(bytes, 4, 8) === 'ftyp' && ['avif', 'avis'].includes(ascii(bytes, 8, 12))) return 'avif';
  return undefined;
}

/** The four decoders' modules (1.6 MB), compiled on first use: most test files never decode an image. */
let ready: Promise<unknown> | undefined;
const initAll = () =>
  (ready ??= Promise.all([
    import('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'),
    import('@jsquash/webp/codec/dec/webp_dec.wasm'),
    import('@jsquash/avif/codec/dec/avif_dec.wasm'),
    // @ts-expect-error -- its .d.ts types the instance's exports; workerd imports the file as a WebAssembly.Module
    import('@jsquash/png/codec/pkg/squoosh_png_bg.wasm') as Promise<{ default: WebAssembly.Module }>,
  ]).then(([jpeg, webp, avif, png]) =>
    Promise.all([
      (initJpeg as unknown as EmscriptenInit)(jpeg.default),
      (initWebp as unknown as EmscriptenInit)(webp.default),
      (initAvif as unknown as EmscriptenInit)(avif.default),
      initPng(png.default),
    ]),
  ));

/** Decodes a file to 8-bit RGBA with jsquash's decoder for its format. */
export async function oracleDecode(bytes: Uint8Array, format = magicFormat(bytes)): Promise<Picture> {
  await initAll();
  const buffer = bytes.slice().buffer;
  const image =
    format === 'jpeg' ? await decodeJpeg(buffer)
    : format === 'png' ? await decodePng(buffer)
    : format === 'webp' ? await decodeWebp(buffer)
    : format === 'avif' ? await decodeAvif(buffer)
    : undefined;
  if (!image) throw new Error(`oracle: cannot decode ${format ?? 'an unknown format'}`);
  return { width: image.width, height: image.height, data: new Uint8ClampedArray(image.data) };
}

/** Encodes a picture as PNG with jsquash's encoder (for test originals made in the test, never with edgepix). */
export async function oracleEncodePng({ width, height, data }: Picture): Promise<Uint8Array> {
  await initAll();
  return new Uint8Array(await encodePng({ width, height, data, colorSpace: 'srgb' } as ImageData));
}

/**
 * For one axis, how much of each source pixel falls in each output cell: cell c spans
 * [c·from/to, (c+1)·from/to) in source pixels, and a pixel counts by the length it shares with it.
 */
function coverage(from: number, to: number): { first: number; weights: number[] }[] {
  const scale = from / to;
  return Array.from({ length: to }, (_, c) => {
    const start = c * scale;
    const end = (c + 1) * scale;
    const first = Math.floor(start);
    const weights: number[] = [];
    for (let p = first; p < Math.min(from, Math.ceil(end)); p++) weights.push(Math.min(end, p + 1) - Math.max(start, p));
    return { first, weights };
  });
}

/**
 * Downscales by area averaging: each output cell is the mean of the source
 * area it covers (pixels on its border counted by the share inside), RGB
 * weighted by alpha so what transparent pixels hide does not count. Slow and
 * obviously right; for comparisons only.
 */
export function boxDownscale(image: Picture, width: number, height: number): Picture {
  if (width > image.width || height > image.height) throw new Error(`boxDownscale only shrinks: ${image.width}×${image.height} → ${width}×${height}`);
  const columns = coverage(image.width, width);
  const rows = coverage(image.height, height);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let cy = 0; cy < height; cy++) {
    const row = rows[cy]!;
    for (let cx = 0; cx < width; cx++) {
      const column = columns[cx]!;
      let [r, g, b, a, area] = [0, 0, 0, 0, 0];
      row.weights.forEach((wy, dy) => {
        column.weights.forEach((wx, dx) => {
          const i = ((row.first + dy) * image.width + column.first + dx) * 4;
          const w = wx * wy;
          const alpha = image.data[i + 3]! * w;
          r += image.data[i]! * alpha;
          g += image.data[i + 1]! * alpha;
          b += image.data[i + 2]! * alpha;
          a += alpha;
          area += w;
        });
      });
      data.set(a > 0 ? [r / a, g / a, b / a, a / area] : [0, 0, 0, 0], (cy * width + cx) * 4);
    }
  }
  return { width, height, data };
}

/** The part of a picture inside a rectangle. */
export function cut(image: Picture, x: number, y: number, width: number, height: number): Picture {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++) {
    data.set(image.data.subarray(((y + row) * image.width + x) * 4, ((y + row) * image.width + x + width) * 4), row * width * 4);
  }
  return { width, height, data };
}

/** Mean absolute difference per channel (0–255) of two pictures of the same size. */
export function meanAbsDiff(a: Picture, b: Picture): number {
  expect([a.width, a.height], 'sizes compared').toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

/** A reference sharp (libvips) made outside the code under test: { width, height, rgba: base64(zlib(RGBA)) }. */
export interface Golden {
  width: number;
  height: number;
  rgba: string;
}

/** Inflates a golden with the runtime's own zlib. */
export async function inflateGolden({ width, height, rgba }: Golden): Promise<Picture> {
  const compressed = Uint8Array.from(atob(rgba), (c) => c.charCodeAt(0));
  const inflated = new Response(new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate')));
  const data = new Uint8ClampedArray(await inflated.arrayBuffer());
  expect(data.length).toBe(width * height * 4);
  return { width, height, data };
}
