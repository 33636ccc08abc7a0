/**
 * PNG in TypeScript (./png/): the decoder inflates the original as it
 * streams from storage (the runtime's native zlib) and unfilters row by row;
 * the encoder filters and deflates rows as they come (pako, a port of zlib).
 */
import { fullSize, type Codec } from './codec';
import { decodePngRows, pngDecodeMemory } from './png/decode-rows';
import { openPngEncoder } from './png/encode-rows';

export const pngCodec: Codec = {
  decodeRows: (input, _header, _hint, open) => decodePngRows(input, open),
  streamsInput: true,
  decodedSize: fullSize,
  // Unknown facts (a header cut short) are costed as the widest case: 16-bit RGBA.
  decodeMemory: (header) =>
    pngDecodeMemory({
      width: header.width,
      height: header.height,
      interlaced: header.interlaced ?? true,
      bitDepth: header.bitDepth ?? 16,
      channels: header.channels ?? 4,
    }),
  openEncoder: openPngEncoder,
  // Rows stream through; the compressed file is at most about the raw size.
  encodeMemory: (size, options) => size.width * size.height * (options.hasAlpha ? 4 : 3),
  defaultQuality: 100,
};
