/**
 * WebP via our own libwebp build (wasm/webp/): lossy files decode row by row
 * with a box shrink-on-load, and the encoder takes rows straight into its
 * YUV 4:2:0 picture, so neither holds an RGBA copy of the picture.
 */
import { boxShrinkHint, wholeBytes, type Codec } from './codec';
import { decodeWebpRows, openWebpEncoder, webpDecodeMemory, webpEncodeMemory, webpShrinkOnLoad } from './libwebp';
import { initCodecs } from './codecs-wasm';

/**
 * libwebp's effort 0–6. 2 is the knee of the measured curve (README
 * "Performance and memory"), the same at 400 and 1600 px: against libwebp's
 * and sharp's default 4 it takes 0.36–0.43× the time for 3 % more bytes at
 * q80; 3 costs 2.4× as much as 2 for those 3 %, 0 and 1 save little time for
 * 10–20 % more bytes.
 */
const METHOD = 2;

export const webp: Codec = {
  async decodeRows(input, header, hint, open) {
    // Instantiation is lazy inside the wrapper; this only records the module.
    initCodecs();
    return decodeWebpRows(await wholeBytes(input), boxShrinkHint(header, hint), open);
  },
  decodedSize: (header, hint) => webpShrinkOnLoad(header, boxShrinkHint(header, hint)).size,
  decodeMemory: (header, decoded) => webpDecodeMemory(header, header.lossless ?? true, decoded, header.hasAlpha),
  openEncoder(size, options) {
    initCodecs();
    return openWebpEncoder(size, { ...options, method: METHOD });
  },
  encodeMemory: (size, options) => webpEncodeMemory(size, options.hasAlpha),
  defaultQuality: 85,
};
