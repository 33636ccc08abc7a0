/**
 * AVIF: decoded by our dav1d build (wasm/avif/), which hands out RGBA rows
 * band by band while it decodes, from a window of YUV rows, with a box
 * shrink-on-load;
 * encoded by libavif with aom (@jsquash/avif), which needs the whole picture.
 */
import avifEncoder, { type AVIFModule } from '@jsquash/avif/codec/enc/avif_enc.js';
import encodeWasm from '@jsquash/avif/codec/enc/avif_enc.wasm';
import { defaultOptions } from '@jsquash/avif/meta.js';
import { boxShrinkHint, wholeBytes, wholePictureEncoder, type Codec } from './codec';
import { avifDecodeMemory, avifShrinkOnLoad, decodeAvifRows } from './libavif';
import { initCodecs } from './codecs-wasm';
import type { RgbaImage } from './types';
import { emscriptenCodec, JSQUASH_INITIAL_MEMORY, type EmscriptenFactory } from './wasm-codec';

const encoder = emscriptenCodec(encodeWasm, avifEncoder as unknown as EmscriptenFactory<AVIFModule>);

/** aom speed 0–10: 8 keeps a cold transform interactive at a small size cost. */
const ENCODE_SPEED = 8;

/** Encodes a whole picture with aom at `speed` (0, slowest and smallest, to 10). */
export const encodeAvif = (image: RgbaImage, quality: number, speed: number): Promise<Uint8Array> =>
  encoder.run((aom) => {
    const file = aom.encode(image.data, image.width, image.height, { ...defaultOptions, quality, speed });
    if (!file) throw new Error('aom could not encode the picture');
    return file;
  });

export const avif: Codec = {
  async decodeRows(input, header, hint, open) {
    initCodecs();
    return decodeAvifRows(await wholeBytes(input), boxShrinkHint(header, hint), open);
  },
  decodedSize: (header, hint) => avifShrinkOnLoad(header, boxShrinkHint(header, hint)).size,
  decodeMemory: ({ width, height, hasAlpha, bitDepth, chroma, grid }) =>
    avifDecodeMemory({ width, height }, { hasAlpha, grid, ...(bitDepth && { bitDepth }), ...(chroma && { subsampling: chroma }) }),
  openEncoder: wholePictureEncoder((image, { quality }) => encodeAvif(image, quality, ENCODE_SPEED)),
  // The RGBA picture, its copy inside WASM, and aom's working set (~30 bytes a pixel at speed 8).
  encodeMemory: (size) => Math.max(JSQUASH_INITIAL_MEMORY, 40 * size.width * size.height),
  ownHeap: true,
  defaultQuality: 60,
};
