/** WebP via libwebp (@jsquash/webp). */
import decode, { init as initDecode } from '@jsquash/webp/decode.js';
import encode, { init as initEncode } from '@jsquash/webp/encode.js';
import decodeWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import encodeWasm from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import type { Codec } from './codec';
import { asImageData, wasmCodec } from './wasm-codec';

type InitWith = (module: WebAssembly.Module) => Promise<unknown>;
const decoder = wasmCodec(() => (initDecode as InitWith)(decodeWasm));
// workerd supports WASM SIMD, so jsquash picks its SIMD build; hand it that module.
const encoder = wasmCodec(() => (initEncode as InitWith)(encodeWasm));

export const webp: Codec = {
  decode: (bytes) => decoder.run(() => decode(bytes.slice().buffer)),
  encode: (image, quality) => encoder.run(() => encode(asImageData(image), { quality, method: 4 })),
  defaultQuality: 85,
};
