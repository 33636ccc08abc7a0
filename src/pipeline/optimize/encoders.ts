/**
 * The optimize pass's encoders: each format at its slow, small settings,
 * the qualities a search may try, and what one encode holds in memory.
 * Settings and ranges were measured with butteraugli as the judge
 * (`npm run bench:compression`).
 */
import { encodeAvif } from '../../codecs/avif';
import { initCodecs } from '../../codecs/codecs-wasm';
import { openWebpEncoder, webpEncodeMemory } from '../../codecs/libwebp';
import { encodeMozjpeg, mozjpegEncodeMemory, type MozjpegSettings } from '../../codecs/mozjpeg';
import { replay } from '../../codecs/rows';
import type { RgbaImage, Size } from '../../codecs/types';
import type { OutputFormat } from '../../spec/transform-spec';

export interface ThoroughEncoder {
  /** Encodes an opaque picture at `quality`. */
  encode(image: RgbaImage, quality: number): Promise<Uint8Array>;
  /**
   * The qualities a search tries, around the request path's own: from
   * `below` under it to `above` over it (32 values: 5 bisection steps).
   */
  window: { below: number; above: number };
  /** Peak bytes of one encode of a picture of `size` at `quality` (the search's highest), its file included. */
  memory(size: Size, quality: number): number;
}

/**
 * MozJPEG: progressive with optimised scans, its default trellis
 * quantisation of AC and DC coefficients, its default tables (3: tuned by
 * N. Robidoux), always 4:2:0 (its auto_subsample turns to 4:4:4 at q90 and
 * up: +60 % bytes). Trellis' multipass, zero-run and table options cost 2×
 * the time and saved nothing measured.
 */
const MOZJPEG: MozjpegSettings = {
  progressive: true,
  optimize_coding: true,
  quant_table: 3,
  auto_subsample: false,
  chroma_subsample: 2,
};

/** libwebp's slowest, most thorough method. */
const WEBP_METHOD = 6;
/** aom's speed for the pass: 6 against the request path's 8 (0 is slowest). */
const AVIF_SPEED = 6;

const jpeg: ThoroughEncoder = {
  encode: (image, quality) => encodeMozjpeg(image, quality, MOZJPEG),
  // MozJPEG matched libjpeg q85 at q76–q86 on the fixture photos.
  window: { below: 24, above: 7 },
  memory: mozjpegEncodeMemory,
};

const webp: ThoroughEncoder = {
  encode(image, quality) {
    initCodecs();
    return replay(image, openWebpEncoder(image, { quality, hasAlpha: false, method: WEBP_METHOD }));
  },
  // Method 6 matches method 4 within a quality or two: 16 values, 4 steps.
  window: { below: 8, above: 7 },
  memory: (size, quality) => webpEncodeMemory(size, { quality, hasAlpha: false }),
};

const avif: ThoroughEncoder = {
  encode: (image, quality) => encodeAvif(image, quality, AVIF_SPEED),
  // Speed 6 matched speed 8's q60 at q52–q56.
  window: { below: 24, above: 7 },
  // The RGBA picture, its copy inside WASM and aom's working set (as for the request path's encoder).
  memory: (size) => 40 * size.width * size.height,
};

/** By output format; PNG has none: it is lossless, and a higher zlib level would save little. */
export const THOROUGH_ENCODERS: Partial<Record<OutputFormat, ThoroughEncoder>> = { jpeg, webp, avif };
