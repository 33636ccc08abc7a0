/**
 * JPEG, both ways through our libjpeg-turbo build: the decoder shrinks on
 * load in the DCT domain (1/2, 1/4, 1/8) to the smallest size the plan
 * allows and handles CMYK/YCCK; the encoder takes rows — progressive with
 * optimised Huffman tables (a whole coefficient buffer, ~3 bytes a pixel)
 * or, for large outputs, baseline, which streams. The same encoder and
 * settings as sharp's default, so its files match sharp's.
 */
import { wholeBytes, type Codec } from './codec';
import { decodeJpegRows, jpegEncodeMemory, openJpegEncoder, progressiveBandPlan } from './jpeg-turbo';
import { initCodecs } from './codecs-wasm';
import type { DecodeHint, ImageHeader, Size } from './types';

const DCT_SCALES = [8, 4, 2, 1];
/** The decoder's own strip buffer and tables. */
const DECODER_OVERHEAD = 2 * 1024 * 1024;

/** The size libjpeg-turbo decodes at scale 1/n. */
const scaledSize = (header: ImageHeader, n: number): Size => ({ width: Math.ceil(header.width / n), height: Math.ceil(header.height / n) });

/** libjpeg-turbo's pick: the smallest 1/N whose size still meets the hint. */
function decodedSize(header: ImageHeader, hint: DecodeHint): Size {
  const fits = ({ width, height }: Size) => width >= hint.minWidth && height >= hint.minHeight;
  return scaledSize(header, DCT_SCALES.find((n) => fits(scaledSize(header, n))) ?? 1);
}

/** The 1/n that `decodedSize` chose, recovered from its answer. */
const scaleOf = (header: ImageHeader, decoded: Size) =>
  DCT_SCALES.find((n) => {
    const size = scaledSize(header, n);
    return size.width === decoded.width && size.height === decoded.height;
  }) ?? 1;

/**
 * Coefficients a progressive decode keeps at once. Past this it decodes in
 * horizontal bands, each keeping its own rows' coefficients and resuming
 * every scan from a checkpoint the band above left (wasm/jpeg-turbo), which
 * is no slower than one buffer: 24 MP at full size keeps 7.4 MiB in 10 bands,
 * not 69 (and no slower than in 5 bands of 14 MiB).
 */
const COEFFICIENT_BUDGET = 8 * 1024 * 1024;

/**
 * What a progressive decode buffers at the scale `decoded` implies, in as
 * many bands as the budget needs (at 1/8 our build keeps DC coefficients
 * only, and never bands). Over the most bands allowed, the plan holds more
 * than the budget, and the cost model counts that.
 */
const coefficientPlan = (header: ImageHeader, decoded: Size) =>
  progressiveBandPlan(header, scaleOf(header, decoded), COEFFICIENT_BUDGET);

/** Rows per strip the decoder hands out. */
const STRIP_ROWS = 16;

export const jpeg: Codec = {
  async decodeRows(input, header, hint, open) {
    const bytes = await wholeBytes(input);
    // The budget the cost model counted: the plan's, where even the most bands hold more.
    const maxCoefficientBytes = Math.max(COEFFICIENT_BUDGET, coefficientPlan(header, decodedSize(header, hint)).coefficientBytes);
    // Instantiation is lazy inside the wrapper; this only records the module.
    initCodecs();
    let sink: ReturnType<typeof open> | undefined;
    try {
      const options = { ...hint, stripRows: STRIP_ROWS, maxCoefficientBytes, onStart: (out: Size) => (sink = open(out)) };
      decodeJpegRows(bytes, options, (rows, _y, count) => sink!.write(rows, count));
    } catch (error) {
      sink?.abort();
      throw error;
    }
    return sink!.close();
  },
  decodedSize,
  // Baseline files stream; progressive ones buffer coefficients, in bands.
  decodeMemory: (header, decoded) =>
    (header.progressive ? coefficientPlan(header, decoded).coefficientBytes : 0) + DECODER_OVERHEAD + decoded.width * 4 * STRIP_ROWS * 2,
  openEncoder(size, options) {
    initCodecs();
    return openJpegEncoder(size, { ...options, progressive: options.progressive ?? true });
  },
  encodeMemory: (size, options) => jpegEncodeMemory(size, options.progressive ?? true),
  defaultQuality: 85,
};
