/** WebP via libwebp (@jsquash/webp). */
import decode, { init as initDecode } from '@jsquash/webp/decode.js';
import encode, { init as initEncode } from '@jsquash/webp/encode.js';
import decodeWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import encodeWasm from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import { fullSize, wholePictureDecoder, wholePictureEncoder, type Codec } from './codec';
import { rgbaBytes } from './types';
import { asImageData, emscriptenCodec, type EmscriptenInit } from './wasm-codec';

const decoder = emscriptenCodec(decodeWasm, initDecode as EmscriptenInit);
// workerd supports WASM SIMD, so jsquash picks its SIMD build; hand it that module.
const encoder = emscriptenCodec(encodeWasm, initEncode as EmscriptenInit);

export const webp: Codec = {
  decodeRows: wholePictureDecoder((bytes) => decoder.run(() => decode(bytes.slice().buffer))),
  decodedSize: fullSize,
  // libwebp's RGBA inside WASM and the copy handed to JS.
  decodeMemory: (header) => 2 * rgbaBytes(header),
  openEncoder: wholePictureEncoder((image, { quality }) => encoder.run(() => encode(asImageData(image), { quality, method: 4 }))),
  encodeMemory: (size) => 16 * size.width * size.height,
  defaultQuality: 85,
};
