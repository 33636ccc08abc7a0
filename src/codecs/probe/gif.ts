/** A GIF's logical screen descriptor: its size. Transparency is per frame, so it stays unknown here. */
import type { HeaderFields } from './header-fields';

export function probeGif(bytes: Uint8Array): HeaderFields {
  if (bytes.length < 10) return { orientation: 1, progressive: false };
  return { orientation: 1, progressive: false, width: bytes[6]! | (bytes[7]! << 8), height: bytes[8]! | (bytes[9]! << 8) };
}
