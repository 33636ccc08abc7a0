/**
 * WebP via our own libwebp build (wasm/webp/): lossy files decode row by row
 * with a box shrink-on-load, and the encoder takes rows straight into its
 * YUV 4:2:0 picture, so neither holds an RGBA copy of the picture.
 */
import { canvasMemory, firstFrame } from './animation/compose';
import { webpAnimation } from './animation/webp';
import { boxShrinkHint, fullSize, wholeBytes, type Codec } from './codec';
import { replay } from './rows';
import { decodeWebpRows, openWebpEncoder, webpDecodeMemory, webpEncodeMemory, webpShrinkOnLoad } from './libwebp';
import { initCodecs } from './codecs-wasm';

/** libwebp's effort 0–6; 4 is its (and sharp's) default balance of size and speed. */
const METHOD = 4;

export const webp: Codec = {
  async decodeRows(input, header, hint, open) {
    // Instantiation is lazy inside the wrapper; this only records the module.
    initCodecs();
    if (header.animated) {
      // A still of an animation is its first frame, composed on the canvas (src/pipeline/animate.ts does the rest).
      const picture = await firstFrame(webpAnimation(await wholeBytes(input)));
      return replay(picture, open(picture));
    }
    return decodeWebpRows(await wholeBytes(input), boxShrinkHint(header, hint), open);
  },
  decodedSize: (header, hint) => (header.animated ? fullSize(header) : webpShrinkOnLoad(header, boxShrinkHint(header, hint)).size),
  decodeMemory: (header, decoded) =>
    header.animated
      ? canvasMemory(header, false) + webpDecodeMemory(header, true, header) + 4 * header.width * header.height
      : webpDecodeMemory(header, header.lossless ?? true, decoded, header.hasAlpha),
  openEncoder(size, options) {
    initCodecs();
    return openWebpEncoder(size, { ...options, method: METHOD });
  },
  encodeMemory: webpEncodeMemory,
  defaultQuality: 85,
};
