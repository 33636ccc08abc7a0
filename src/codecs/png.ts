/** PNG via the Rust `png` crate (@jsquash/png). */
import decode, { init as initDecode } from '@jsquash/png/decode.js';
import encode from '@jsquash/png/encode.js';
import pngWasm from '@jsquash/png/codec/pkg/squoosh_png_bg.wasm';
import { fullSize, wholePictureDecoder, wholePictureEncoder, type Codec } from './codec';
import { rgbaBytes } from './types';
import { asImageData, wasmCodec } from './wasm-codec';

// One wasm-bindgen module serves both directions.
const png = wasmCodec(() => initDecode(pngWasm));

export const pngCodec: Codec = {
  decodeRows: wholePictureDecoder((bytes) => png.run(() => decode(bytes.slice().buffer))),
  decodedSize: fullSize,
  // The crate's RGBA (wider for 16-bit files) and the copy handed to JS.
  decodeMemory: (header) => 3 * rgbaBytes(header),
  openEncoder: wholePictureEncoder((image) => png.run(() => encode(asImageData(image)))),
  encodeMemory: (size) => 16 * size.width * size.height,
  defaultQuality: 100,
};
