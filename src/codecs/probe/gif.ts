/**
 * A GIF's logical screen size and, when the whole file is there, whether any
 * frame has a transparent index (a prefix leaves that unknown).
 */
import { readGif } from '../gif/read';
import type { HeaderFields } from './header-fields';

export function probeGif(bytes: Uint8Array): HeaderFields {
  if (bytes.length < 10) return { orientation: 1, progressive: false };
  const fields: HeaderFields = { orientation: 1, progressive: false, width: bytes[6]! | (bytes[7]! << 8), height: bytes[8]! | (bytes[9]! << 8) };
  try {
    fields.hasAlpha = readGif(bytes).frames.some((frame) => frame.transparentIndex !== undefined);
  } catch {
    // A prefix, or a broken file: decoding will say which.
  }
  return fields;
}
