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

/**
 * aom speed 0–10, per output size from the measured curve (README
 * "Performance and memory"): at 1200 px, speed 9 takes 0.37× speed 8's time
 * for 8.5 % more bytes; at 400 px it would cost 28 % more bytes, so small
 * outputs keep 8. (10 gave the same sizes as 9 in this aom.)
 */
const encodeSpeed = (pixels: number) => (pixels >= 1_000_000 ? 9 : 8);

export const avif: Codec = {
  async decodeRows(input, header, hint, open) {
    initCodecs();
    return decodeAvifRows(await wholeBytes(input), boxShrinkHint(header, hint), open);
  },
  decodedSize: (header, hint) => avifShrinkOnLoad(header, boxShrinkHint(header, hint)).size,
  decodeMemory: ({ width, height, hasAlpha, bitDepth, chroma }) =>
    avifDecodeMemory({ width, height }, { hasAlpha, ...(bitDepth && { bitDepth }), ...(chroma && { subsampling: chroma }) }),
  openEncoder: wholePictureEncoder((image, { quality }) =>
    encoder.run(() => encode(asImageData(image), { quality, speed: encodeSpeed(image.width * image.height) })),
  ),
  // The RGBA picture, its copy inside WASM, and aom's working set (~30 bytes a pixel at speed 8).
  encodeMemory: (size) => 40 * size.width * size.height,
  ownHeap: true,
  defaultQuality: 60,
};
