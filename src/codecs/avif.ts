/** AVIF via libavif with aom (@jsquash/avif). */
import decode, { init as initDecode } from '@jsquash/avif/decode.js';
import encode, { init as initEncode } from '@jsquash/avif/encode.js';
import decodeWasm from '@jsquash/avif/codec/dec/avif_dec.wasm';
import encodeWasm from '@jsquash/avif/codec/enc/avif_enc.wasm';
import type { Codec } from './codec';
import { asImageData, wasmCodec } from './wasm-codec';

type InitWith = (module: WebAssembly.Module) => Promise<unknown>;
const decoder = wasmCodec(() => (initDecode as InitWith)(decodeWasm));
const encoder = wasmCodec(() => (initEncode as InitWith)(encodeWasm));

/** aom speed 0–10: 8 keeps a cold transform interactive at a small size cost. */
const ENCODE_SPEED = 8;

export const avif: Codec = {
  async decode(bytes) {
    const image = await decoder.run(() => decode(bytes.slice().buffer));
    if (!image) throw new Error('libavif could not decode the image');
    return image;
  },
  encode: (image, quality) => encoder.run(() => encode(asImageData(image), { quality, speed: ENCODE_SPEED })),
  defaultQuality: 60,
};
