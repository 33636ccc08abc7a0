/**
 * Colour values as URLs carry them: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`
 * (the `#` percent-encoded or left out), `rgb()`/`rgba()`, and a few names.
 */
import type { Rgba } from './transform-spec';

const NAMED: Record<string, Rgba> = {
  transparent: { r: 0, g: 0, b: 0, a: 0 },
  white: { r: 255, g: 255, b: 255, a: 255 },
  black: { r: 0, g: 0, b: 0, a: 255 },
  red: { r: 255, g: 0, b: 0, a: 255 },
  green: { r: 0, g: 128, b: 0, a: 255 },
  blue: { r: 0, g: 0, b: 255, a: 255 },
  gray: { r: 128, g: 128, b: 128, a: 255 },
  grey: { r: 128, g: 128, b: 128, a: 255 },
};

function fromHex(hex: string): Rgba | undefined {
  if (!/^[0-9a-f]+$/i.test(hex)) return undefined;
  const full = hex.length <= 4 ? [...hex].map((c) => c + c).join('') : hex;
  if (full.length !== 6 && full.length !== 8) return undefined;
  const byte = (i: number) => parseInt(full.slice(i, i + 2), 16);
  return { r: byte(0), g: byte(2), b: byte(4), a: full.length === 8 ? byte(6) : 255 };
}

function fromFunction(text: string): Rgba | undefined {
  const match = /^rgba?\(([^)]*)\)$/i.exec(text);
  if (!match?.[1]) return undefined;
  const parts = match[1].split(/[\s,/]+/).filter(Boolean);
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  const channels = parts.slice(0, 3).map(Number);
  const alphaText = parts[3] ?? '1';
  const alpha = alphaText.endsWith('%') ? Number(alphaText.slice(0, -1)) / 100 : Number(alphaText);
  if (channels.some((c) => !Number.isInteger(c) || c < 0 || c > 255) || !(alpha >= 0 && alpha <= 1)) {
    return undefined;
  }
  const [r = 0, g = 0, b = 0] = channels;
  return { r, g, b, a: Math.round(alpha * 255) };
}

/** Returns undefined for anything that is not a colour we understand. */
export function parseColor(input: string): Rgba | undefined {
  const text = input.trim().toLowerCase();
  if (text in NAMED) return NAMED[text];
  if (text.startsWith('rgb')) return fromFunction(text);
  return fromHex(text.startsWith('#') ? text.slice(1) : text);
}
