/** JPEG via MozJPEG (@jsquash/jpeg). */
import decode, { init as initDecode } from '@jsquash/jpeg/decode.js';
import encode, { init as initEncode } from '@jsquash/jpeg/encode.js';
import decodeWasm from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
import encodeWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import type { Codec } from './codec';
import { asImageData, wasmCodec } from './wasm-codec';

// jsquash's typings omit the module argument its init functions accept.
type InitWith = (module: WebAssembly.Module) => Promise<unknown>;
const decoder = wasmCodec(() => (initDecode as InitWith)(decodeWasm));
const encoder = wasmCodec(() => (initEncode as InitWith)(encodeWasm));

export const jpeg: Codec = {
  // EXIF orientation is applied by the pipeline, the same way for every format.
  decode: (bytes) => decoder.run(() => decode(bytes.slice().buffer, { preserveOrientation: true })),
  encode: (image, quality) =>
    encoder.run(() => encode(asImageData(image), { quality, progressive: true, optimize_coding: true })),
  defaultQuality: 85,
};
