import type { ImageHeader } from '../types';

/**
 * What one format's header parser found: the header less its format (the
 * sniffer's), with the fields the bytes may end before left undefined.
 */
export type HeaderFields = Omit<ImageHeader, 'format' | 'width' | 'height' | 'hasAlpha'> &
  Partial<Pick<ImageHeader, 'width' | 'height' | 'hasAlpha'>>;

export const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const fourCC = (bytes: Uint8Array, at: number) =>
  String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
