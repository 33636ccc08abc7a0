/**
 * The optimize pass: a variant made on the request path at low effort is
 * re-encoded at high effort (MozJPEG with trellis, WebP method 6, AVIF at a
 * slower aom speed), each with a quality search around the request's own
 * quality, and the smallest file that is smaller than the stored one at an
 * equal or better metric replaces it. The metric is SSIM of luma and chroma
 * at half size (../pipeline/similarity.ts) against the output picture
 * before encoding; the stored file is decoded by edgepix's own decoders to
 * measure it the same way. Nothing is stored here: the caller does that.
 */
import { decodeImage } from '../codecs';
import { sniff } from '../codecs/sniff';
import type { RgbaImage, Size } from '../codecs/types';
import type { Config } from '../config';
import type { Env } from '../env';
import { THOROUGH_ENCODERS, type ThoroughEncoder } from '../pipeline/optimize/encoders';
import { searchQuality } from '../pipeline/optimize/search';
import { withOutputMetadata } from '../pipeline/output-metadata';
import { renderPixels } from '../pipeline/run';
import { colourPlanes, similarity, type ColourPlanes } from '../pipeline/similarity';
import type { OutputFormat, ResolvedSpec } from '../spec/transform-spec';
import { digestEtag, variantMeta, type VariantMeta } from '../storage/variants';
import type { Original } from './original';
import { planFor } from './transform';

export interface Optimized {
  output: Uint8Array;
  meta: VariantMeta;
  /** bytes before and after */
  before: number;
  after: number;
  /** the metric of the fast and the optimized file against the output picture, e.g. SSIM */
  metric: { name: string; fast: number; optimized: number };
}

/**
 * Outputs above this many pixels are not optimized. The pass holds the
 * output picture and one decoded candidate (4 B a pixel each), both
 * pictures' planes (3 B a pixel each) and an encoder, beside what
 * rendering needed; at 4 MP that is 53 MiB + WebP's ~34 MiB at q92 (its
 * token buffer grows with quality). MozJPEG's heap (23 B a pixel at worst)
 * keeps JPEG within MAX_WORKING_MEMORY only up to ~2.8 MP, and AVIF output
 * stops at 1.5 MP on the request path already.
 */
const OPTIMIZE_MAX_PIXELS = 4_000_000;
/** Pictures are compared at 1/SCALE of the output's size: at half size the metric tracked butteraugli best of those measured. */
const METRIC_SCALE = 2;
const METRIC_NAME = `ssim-ycc@1/${METRIC_SCALE}`;

/** Peak bytes of the pass after rendering: the picture, one decoded file, its planes and the reference's (3 Float32 each), an encode at the search's highest quality. */
const passMemory = (size: Size, encoder: ThoroughEncoder, quality: number) =>
  size.width * size.height * (4 + 4 + (2 * 3 * 4) / METRIC_SCALE ** 2) + encoder.memory(size, searchWindow(quality, encoder).max);

/** The qualities to search, around the request path's own, within 1–100. */
const searchWindow = (quality: number, { window }: ThoroughEncoder) => ({
  min: Math.max(1, quality - window.below),
  max: Math.min(100, quality + window.above),
});

/** A file's metric, or undefined when it is not a `format` file of the picture's size (a stored variant gone wrong). */
async function measure(bytes: Uint8Array, format: OutputFormat, reference: ColourPlanes, size: Size): Promise<number | undefined> {
  const sniffed = sniff(bytes);
  if (!sniffed.supported || sniffed.format !== format) return undefined;
  let decoded: RgbaImage;
  try {
    decoded = await decodeImage(format, bytes);
  } catch {
    return undefined;
  }
  if (decoded.width !== size.width || decoded.height !== size.height) return undefined;
  return similarity(reference, colourPlanes(decoded, METRIC_SCALE));
}

/** Re-encodes the variant `spec` describes at high effort; undefined when no candidate is smaller at an equal-or-better metric than `fast` (the stored request-path bytes), or when the output is too big to optimize (see OPTIMIZE_MAX_PIXELS). */
export async function optimizeVariant(env: Env, original: Original, spec: ResolvedSpec, config: Config, fast: Uint8Array): Promise<Optimized | undefined> {
  const { input, header, plan, animation } = await planFor(env, original, spec, config);
  // An animation's frames are encoded one by one; the pass re-encodes stills only.
  if (animation && !('firstFrame' in animation)) return undefined;
  const { format, size, options, fallbacks } = plan.output;
  const encoder = THOROUGH_ENCODERS[format];
  // Transparency is not measured by the metric, so only opaque outputs are re-encoded.
  if (!encoder || options.hasAlpha) return undefined;
  if (size.width * size.height > OPTIMIZE_MAX_PIXELS || passMemory(size, encoder, options.quality) > config.maxWorkingMemory) return undefined;

  const picture = await renderPixels(await input(), header, plan);
  const reference = colourPlanes(picture, METRIC_SCALE);
  const fastMetric = await measure(fast, format, reference, picture);
  if (fastMetric === undefined) return undefined;
  const best = await searchQuality({
    encode: (quality) => encoder.encode(picture, quality),
    judge: async (bytes) => (await measure(bytes, format, reference, picture)) ?? -Infinity,
    qualities: searchWindow(options.quality, encoder),
    floor: fastMetric,
  });
  if (!best) return undefined;
  // The request path's file carries the EXIF `metadata` asks for; so does this one.
  const output = withOutputMetadata(best.bytes, format, header, spec, size);
  if (output.byteLength >= fast.byteLength) return undefined;
  return {
    output,
    meta: variantMeta(format, await digestEtag(output), fallbacks),
    before: fast.byteLength,
    after: output.byteLength,
    metric: { name: METRIC_NAME, fast: fastMetric, optimized: best.metric },
  };
}
