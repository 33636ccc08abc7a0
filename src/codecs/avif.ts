/** AVIF via libavif with aom (@jsquash/avif). */
import decode, { init as initDecode } from '@jsquash/avif/decode.js';
import encode, { init as initEncode } from '@jsquash/avif/encode.js';
import decodeWasm from '@jsquash/avif/codec/dec/avif_dec.wasm';
import encodeWasm from '@jsquash/avif/codec/enc/avif_enc.wasm';
import { fullSize, wholePictureDecoder, wholePictureEncoder, type Codec } from './codec';
import { rgbaBytes } from './types';
import { asImageData, emscriptenCodec, type EmscriptenInit } from './wasm-codec';

const decoder = emscriptenCodec(decodeWasm, initDecode as EmscriptenInit);
const encoder = emscriptenCodec(encodeWasm, initEncode as EmscriptenInit);

/** aom speed 0–10: 8 keeps a cold transform interactive at a small size cost. */
const ENCODE_SPEED = 8;

export const avif: Codec = {
  decodeRows: wholePictureDecoder(async (bytes) => {
    const image = await decoder.run(() => decode(bytes.slice().buffer));
    if (!image) throw new Error('libavif could not decode the image');
    return image;
  }),
  decodedSize: fullSize,
  // Up to 16-bit 4:4:4 YUV planes (6 bytes a pixel), RGBA inside WASM and its copy in JS.
  decodeMemory: (header) => header.width * header.height * 6 + 2 * rgbaBytes(header),
  openEncoder: wholePictureEncoder((image, { quality }) =>
    encoder.run(() => encode(asImageData(image), { quality, speed: ENCODE_SPEED })),
  ),
  encodeMemory: (size) => 20 * size.width * size.height,
  defaultQuality: 60,
};
