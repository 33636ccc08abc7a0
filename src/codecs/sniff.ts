/**
 * Detects the real type of a file from its first bytes; extensions and
 * stored content types are never trusted.
 */
import type { InputFormat } from './types';

export type SniffResult =
  | { supported: true; format: InputFormat }
  | { supported: false; description: string };

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

const startsWith = (bytes: Uint8Array, signature: readonly number[]) =>
  signature.every((b, i) => bytes[i] === b);

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

function sniffIsoBmff(bytes: Uint8Array): SniffResult | undefined {
  if (bytes.length < 16 || ascii(bytes, 4, 4) !== 'ftyp') return undefined;
  const boxSize = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
  const brands = [ascii(bytes, 8, 4)];
  for (let at = 16; at + 4 <= Math.min(boxSize, bytes.length); at += 4) brands.push(ascii(bytes, at, 4));
  if (brands.some((b) => AVIF_BRANDS.has(b))) return { supported: true, format: 'avif' };
  if (brands.some((b) => HEIF_BRANDS.has(b))) return { supported: false, description: 'HEIF/HEIC' };
  return { supported: false, description: 'an ISO media file that is not AVIF' };
}

export function sniff(bytes: Uint8Array): SniffResult {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { supported: true, format: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { supported: true, format: 'png' };
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') {
    return { supported: true, format: 'webp' };
  }
  const isoBmff = sniffIsoBmff(bytes);
  if (isoBmff) return isoBmff;
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { supported: true, format: 'gif' };
  if (ascii(bytes, 0, 5) === '%PDF-') return { supported: false, description: 'PDF' };
  const text = new TextDecoder().decode(bytes.subarray(0, 256)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) {
    return { supported: false, description: 'SVG' };
  }
  if (text.startsWith('<')) return { supported: false, description: 'markup (HTML/XML)' };
  return { supported: false, description: 'not a recognised image' };
}
