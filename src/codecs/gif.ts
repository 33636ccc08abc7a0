/**
 * GIF as a still format: decoding gives the first frame composed on the
 * logical screen (an animation's other frames go through
 * src/pipeline/animate.ts), encoding writes a one-frame GIF.
 */
import { canvasMemory, firstFrame } from './animation/compose';
import { gifAnimation } from './animation/gif';
import { fullSize, wholeBytes, wholePictureEncoder, type Codec } from './codec';
import { gifFrameMemory, openGifWriter } from './gif/encode';
import { MAX_FRAME_TO_SCREEN } from './gif/read';
import { replay } from './rows';

export const gif: Codec = {
  async decodeRows(input, _header, _hint, open) {
    const picture = await firstFrame(gifAnimation(await wholeBytes(input)));
    return replay(picture, open(picture));
  },
  decodedSize: fullSize,
  // The first frame alone saves nothing for a later one; the header does not say how large it is: the worst the reader allows.
  decodeMemory: (header) => canvasMemory(header, false) + MAX_FRAME_TO_SCREEN * header.width * header.height,
  openEncoder: wholePictureEncoder(async (image, options) => {
    const writer = openGifWriter(1, options.hasAlpha);
    writer.frame(image, 0, options.hasAlpha);
    return writer.finish();
  }),
  encodeMemory: (size) => 4 * size.width * size.height + gifFrameMemory(size.width * size.height),
  defaultQuality: 100,
};
