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
import { asImageData, wasmCodec } from './wasm-codec';

// jsquash's typings omit the module argument its init functions accept.
type InitWith = (module: WebAssembly.Module) => Promise<unknown>;
const encoder = wasmCodec(() => (initEncode as InitWith)(encodeWasm));

export const jpeg: Codec = {
  async decode(bytes, hint) {
    // Instantiation is lazy inside the wrapper; this only records the module.
    initJpegTurbo(jpegTurboWasm);
    return decodeJpeg(bytes, hint);
  },
  encode: (image, quality) =>
    encoder.run(() => encode(asImageData(image), { quality, progressive: true, optimize_coding: true })),
  defaultQuality: 85,
};
