/**
 * JPEG, both ways through our libjpeg-turbo build: the decoder shrinks on
 * load in the DCT domain (1/2, 1/4, 1/8) to the smallest size the plan
 * allows and handles CMYK/YCCK; the encoder takes rows — progressive with
 * optimised Huffman tables (a whole coefficient buffer, ~3 bytes a pixel)
 * or, for large outputs, baseline, which streams. The same encoder and
 * settings as sharp's default, so its files match sharp's.
 */
import { wholeBytes, type Codec } from './codec';
import { decodeJpegRows, initJpegTurbo, jpegEncodeMemory, openJpegEncoder } from './jpeg-turbo';
import jpegTurboWasm from './jpeg-turbo/jpeg_turbo.wasm';
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

/** Unknown sampling: assume 4:4:4, the most coefficients. */
const FULL_SAMPLING: [number, number][] = [[1, 1], [1, 1], [1, 1]];
const BLOCK_BYTES = 64 * 2;
const DC_BYTES = 2;

/**
 * What a progressive decode buffers at 1/n: a 64-coefficient block per 8×8
 * samples of each component, except where the scaled IDCT is 1×1 — at 1/8,
 * for a component with the largest sampling factors in either direction —
 * which our libjpeg-turbo build stores as the DC coefficient alone (its AC
 * scans are skipped; see wasm/jpeg-turbo).
 */
function coefficientBytes(header: ImageHeader, n: number): number {
  const factors = header.samplingFactors?.length ? header.samplingFactors : FULL_SAMPLING;
  const maxH = Math.max(...factors.map(([h]) => h));
  const maxV = Math.max(...factors.map(([, v]) => v));
  return factors.reduce((sum, [h, v]) => {
    const blocks = Math.ceil((header.width * h) / maxH / 8) * Math.ceil((header.height * v) / maxV / 8);
    // libjpeg doubles a component's IDCT size while its sampling allows (jpeg_core_output_dimensions).
    const dcOnly = n === 8 && !(maxH % (2 * h) === 0 && maxV % (2 * v) === 0);
    return sum + blocks * (dcOnly ? DC_BYTES : BLOCK_BYTES);
  }, 0);
}

/** Rows per strip the decoder hands out. */
const STRIP_ROWS = 16;

export const jpeg: Codec = {
  async decodeRows(input, hint, open) {
    const bytes = await wholeBytes(input);
    // Instantiation is lazy inside the wrapper; this only records the module.
    initJpegTurbo(jpegTurboWasm);
    let sink: ReturnType<typeof open> | undefined;
    try {
      decodeJpegRows(bytes, { ...hint, stripRows: STRIP_ROWS, onStart: (out) => (sink = open(out)) }, (rows, _y, count) =>
        sink!.write(rows, count),
      );
    } catch (error) {
      sink?.abort();
      throw error;
    }
    return sink!.close();
  },
  decodedSize,
  // Baseline files stream; progressive ones buffer the full-size image's coefficients.
  decodeMemory: (header, decoded) =>
    (header.progressive ? coefficientBytes(header, scaleOf(header, decoded)) : 0) + DECODER_OVERHEAD + decoded.width * 4 * STRIP_ROWS * 2,
  openEncoder(size, options) {
    initJpegTurbo(jpegTurboWasm);
    return openJpegEncoder(size, { ...options, progressive: options.progressive ?? true });
  },
  encodeMemory: (size, options) => jpegEncodeMemory(size, options.progressive ?? true),
  defaultQuality: 85,
};
