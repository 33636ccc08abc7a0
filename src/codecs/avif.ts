/**
 * AVIF: decoded by our dav1d build (wasm/avif/), which keeps the YUV frame
 * and converts it to RGBA rows band by band with a box shrink-on-load;
 * encoded by libavif with aom (@jsquash/avif), which needs the whole picture.
 */
import encode, { init as initEncode } from '@jsquash/avif/encode.js';
import encodeWasm from '@jsquash/avif/codec/enc/avif_enc.wasm';
import { boxShrinkHint, wholeBytes, wholePictureEncoder, type Codec } from './codec';
import { avifDecodeMemory, avifShrinkOnLoad, decodeAvifRows } from './libavif';
import { initCodecs } from './codecs-wasm';
import { asImageData, emscriptenCodec, type EmscriptenInit } from './wasm-codec';

const encoder = emscriptenCodec(encodeWasm, initEncode as EmscriptenInit);

/** aom speed 0–10: 8 keeps a cold transform interactive at a small size cost. */
const ENCODE_SPEED = 8;

export const avif: Codec = {
  async decodeRows(input, header, hint, open) {
    initCodecs();
    return decodeAvifRows(await wholeBytes(input), boxShrinkHint(header, hint), open);
  },
  decodedSize: (header, hint) => avifShrinkOnLoad(header, boxShrinkHint(header, hint)).size,
  decodeMemory: ({ width, height, hasAlpha, bitDepth, chroma }) =>
    avifDecodeMemory({ width, height }, { hasAlpha, ...(bitDepth && { bitDepth }), ...(chroma && { subsampling: chroma }) }),
  openEncoder: wholePictureEncoder((image, { quality }) =>
    encoder.run(() => encode(asImageData(image), { quality, speed: ENCODE_SPEED })),
  ),
  // The RGBA picture, its copy inside WASM, and aom's working set (~30 bytes a pixel at speed 8).
  encodeMemory: (size) => 40 * size.width * size.height,
  ownHeap: true,
  defaultQuality: 60,
};
