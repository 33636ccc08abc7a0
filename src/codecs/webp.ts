/**
 * WebP via our own libwebp build (wasm/webp/): lossy files decode row by row
 * with a box shrink-on-load, and the encoder takes rows straight into its
 * YUV 4:2:0 picture, so neither holds an RGBA copy of the picture.
 */
import { boxShrinkHint, wholeBytes, type Codec } from './codec';
import { decodeWebpRows, openWebpEncoder, webpDecodeMemory, webpEncodeMemory, webpShrinkOnLoad } from './libwebp';
import { initCodecs } from './codecs-wasm';

/** libwebp's effort 0–6; 4 is its (and sharp's) default balance of size and speed. */
const METHOD = 4;

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
