/**
 * JPEG: decoded by our libjpeg-turbo build, which shrinks on load in the DCT
 * domain (1/2, 1/4, 1/8) to the smallest size the plan allows and handles
 * CMYK/YCCK; encoded by MozJPEG (@jsquash/jpeg).
 */
import encode, { init as initEncode } from '@jsquash/jpeg/encode.js';
import encodeWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import type { Codec } from './codec';
import { decodeJpeg, initJpegTurbo } from './jpeg-turbo';
import jpegTurboWasm from './jpeg-turbo/jpeg_turbo.wasm';
import { rgbaBytes, type DecodeHint, type ImageHeader } from './types';
import { asImageData, emscriptenCodec, type EmscriptenInit } from './wasm-codec';

const encoder = emscriptenCodec(encodeWasm, initEncode as EmscriptenInit);

const DCT_SCALES = [8, 4, 2, 1];
/** The decoder's own strip buffer and tables. */
const DECODER_OVERHEAD = 2 * 1024 * 1024;

/** libjpeg-turbo's pick: the smallest 1/N whose ceil(size/N) still meets the hint. */
function decodedSize(header: ImageHeader, hint: DecodeHint) {
  const fits = (n: number) => Math.ceil(header.width / n) >= hint.minWidth && Math.ceil(header.height / n) >= hint.minHeight;
  const n = DCT_SCALES.find(fits) ?? 1;
  return { width: Math.ceil(header.width / n), height: Math.ceil(header.height / n) };
}

export const jpeg: Codec = {
  async decode(bytes, hint) {
    // Instantiation is lazy inside the wrapper; this only records the module.
    initJpegTurbo(jpegTurboWasm);
    return decodeJpeg(bytes, hint);
  },
  decodedSize,
  // Baseline files stream; progressive ones buffer every coefficient of the full-size image.
  decodeMemory: (header, decoded) =>
    (header.progressive ? header.width * header.height * (header.coefficientBytesPerPixel ?? 6) : 0) +
    DECODER_OVERHEAD +
    rgbaBytes(decoded),
  encode: (image, quality) =>
    encoder.run(() => encode(asImageData(image), { quality, progressive: true, optimize_coding: true })),
  encodeBytesPerPixel: 6,
  defaultQuality: 85,
};
