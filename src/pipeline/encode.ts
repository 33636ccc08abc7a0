/**
 * The encoder for the output and its settings — with the fallbacks taken
 * when the requested encoding cannot fit at this size — opened as the
 * pipeline's row sink. With a byte budget (Thumbor's
 * max_bytes) it keeps the output picture and re-encodes at lower qualities
 * until the file fits or the quality floor is reached, then returns the
 * smallest attempt.
 */
import { CODECS } from '../codecs';
import { collect, replay, type EncodeOptions, type RowSink } from '../codecs/rows';
import type { ImageHeader, Size } from '../codecs/types';
import type { OutputFormat } from '../spec/transform-spec';
import { withOutputMetadata } from './output-metadata';
import type { StepContext } from './step';

const QUALITY_STEP = 10;
/** As low as the encoders go: a byte budget is the client's hard limit (Thumbor itself stops at 10). */
const QUALITY_FLOOR = 1;

/**
 * AVIF (aom) needs about 40 bytes per output pixel: above this many pixels it
 * would not fit beside the decoder, so the output is WebP instead.
 */
const AVIF_MAX_OUTPUT_PIXELS = 1_500_000;
/** Above this, JPEG is baseline (it streams) rather than progressive (a whole coefficient buffer), as Cloudflare does over 3000×3000. */
const PROGRESSIVE_JPEG_MAX_PIXELS = 3000 * 3000;

export interface OutputPlan {
  /** What is encoded: the requested format unless a fallback replaced it. */
  format: OutputFormat;
  size: Size;
  options: EncodeOptions;
  /** The fallbacks taken, for the X-Edgepix-Fallback header: `avif>webp`, `webp>jpeg`, `jpeg-baseline`. */
  fallbacks: string[];
  /** Re-encodes from a kept picture until the file fits this many bytes. */
  maxBytes?: number;
  open(size: Size): RowSink<Uint8Array>;
}

/** Transparency survives unless the format has none or an opaque background fills it. */
function keepsAlpha(format: OutputFormat, header: ImageHeader, { spec, geometry }: StepContext): boolean {
  if (format === 'jpeg') return false;
  if (spec.background) return spec.background.a < 255;
  return header.hasAlpha || geometry.canvas !== undefined;
}

function outputPlan(format: OutputFormat, progressive: boolean, fallbacks: string[], size: Size, header: ImageHeader, context: StepContext, rowsAgain: boolean): OutputPlan {
  const { spec } = context;
  const codec = CODECS[format];
  // PNG is lossless: quality changes nothing, so one attempt is all there is.
  const maxBytes = format === 'png' ? undefined : spec.maxBytes;
  const options: EncodeOptions = {
    // A quality asked for one format means little to another: a fallback takes its own default.
    quality: (format === spec.format ? spec.quality : undefined) ?? codec.defaultQuality,
    hasAlpha: keepsAlpha(format, header, context),
    progressive,
    // A byte budget re-encodes a kept picture instead.
    rowsAgain: rowsAgain && maxBytes === undefined,
  };
  return {
    format,
    size,
    options,
    fallbacks,
    ...(maxBytes !== undefined && { maxBytes }),
    open: (actual) => {
      const sink = maxBytes === undefined ? codec.openEncoder(actual, options) : withinBytes(format, actual, options, maxBytes);
      return {
        write: (band, count) => sink.write(band, count),
        close: async () => withOutputMetadata(await sink.close(), format, header, spec, actual),
        abort: () => sink.abort(),
        ...(sink.endPass && { endPass: () => sink.endPass!() }),
      };
    },
  };
}

/**
 * The ways to encode the output, best first: what was asked for, then what
 * edgepix serves instead when that would not fit — AVIF gives way to WebP
 * (always above AVIF_MAX_OUTPUT_PIXELS), progressive JPEG to baseline
 * (always above PROGRESSIVE_JPEG_MAX_PIXELS), and an opaque WebP (a whole
 * YUV picture) to baseline JPEG, which streams. The planner takes the first
 * that fits the memory budget. `rowsAgain`: the caller can decode the
 * original once more for an encoder that reads the picture in passes.
 */
export function outputChoices(size: Size, header: ImageHeader, context: StepContext, rowsAgain: boolean): OutputPlan[] {
  const pixels = size.width * size.height;
  const plan = (format: OutputFormat, fallbacks: string[] = [], progressive = true) =>
    outputPlan(format, progressive, fallbacks, size, header, context, rowsAgain);
  // Transparency has no streaming format to go to: PNG's output is as big as WebP's picture.
  const webpOr = (fallbacks: string[]) => {
    const webp = plan('webp', fallbacks);
    return webp.options.hasAlpha ? [webp] : [webp, plan('jpeg', [...fallbacks, 'webp>jpeg'], false)];
  };
  switch (context.spec.format) {
    case 'avif':
      return pixels > AVIF_MAX_OUTPUT_PIXELS ? webpOr(['avif>webp']) : [plan('avif'), ...webpOr(['avif>webp'])];
    case 'webp':
      return webpOr([]);
    case 'jpeg':
      // Asked for baseline, it is no fallback.
      if (context.spec.baseline) return [plan('jpeg', [], false)];
      return pixels > PROGRESSIVE_JPEG_MAX_PIXELS
        ? [plan('jpeg', ['jpeg-baseline'], false)]
        : [plan('jpeg'), plan('jpeg', ['jpeg-baseline'], false)];
    default:
      return [plan(context.spec.format)];
  }
}

/** The encoder's peak, plus the kept picture when re-encoding to a byte budget. */
export const outputMemory = ({ format, size, options, maxBytes }: OutputPlan) =>
  CODECS[format].encodeMemory(size, options) + (maxBytes === undefined ? 0 : size.width * size.height * 4);

function withinBytes(format: OutputFormat, size: Size, options: EncodeOptions, maxBytes: number): RowSink<Uint8Array> {
  const codec = CODECS[format];
  const picture = collect(size);
  return {
    write: (band, count) => picture.write(band, count),
    async close() {
      const image = await picture.close();
      let quality = options.quality;
      let best = await replay(image, codec.openEncoder(size, options));
      while (best.byteLength > maxBytes && quality > QUALITY_FLOOR) {
        quality = Math.max(QUALITY_FLOOR, quality - QUALITY_STEP);
        const attempt = await replay(image, codec.openEncoder(size, { ...options, quality }));
        if (attempt.byteLength < best.byteLength) best = attempt;
      }
      return best;
    },
    abort: () => picture.abort(),
  };
}
