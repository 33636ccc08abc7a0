/**
 * Embedded ICC profiles of RGB pictures, for conversion to sRGB: the
 * matrix-shaper kind (Display P3, Adobe RGB, ProPhoto, most camera and phone
 * profiles) by its colorants (rXYZ, gXYZ, bXYZ) and tone curves (rTRC, gTRC,
 * bTRC: `curv` gamma or table, `para` functions 0–4). Both sides are in the
 * profile connection space (XYZ, D50), so the conversion is one 3×3 matrix
 * between linear light values. A profile that is sRGB already, is not RGB,
 * is cut short or is LUT-only (A2B0 with no colorants) gives no conversion:
 * the pixels pass as they are, with `X-Edgepix-Fallback: icc-unconverted`
 * (README "Colour").
 */
import { Inflate } from 'pako';
import { concatBytes } from '../lib/bytes';
import type { StoredProfile } from '../codecs/types';

/** Profiles are kilobytes; this bounds a zlib bomb in a PNG's iCCP. */
const MAX_PROFILE_BYTES = 4 * 1024 * 1024;

/** sRGB's colorants adapted to D50, as its own ICC profile states them (columns r, g, b). */
const SRGB_D50 = [0.4361, 0.3851, 0.1431, 0.2225, 0.7169, 0.0606, 0.0139, 0.0971, 0.7141];
/** Closer than this to sRGB's colorants and curve changes no 8-bit value worth a pass. */
const SAME_AS_SRGB = 0.002;

export interface SrgbConversion {
  /** Per channel: 8-bit value → linear light. */
  toLinear: [Float32Array, Float32Array, Float32Array];
  /** Row-major 3×3: linear light of the profile → linear sRGB. */
  matrix: Float64Array;
}

/** The profile's bytes, inflated when stored compressed; undefined when there is none or it will not inflate. */
export function profileBytes(stored: StoredProfile | undefined): Uint8Array | undefined {
  if (!stored) return undefined;
  if (!stored.deflated) return stored.bytes;
  const inflate = new Inflate();
  let total = 0;
  const chunks: Uint8Array[] = [];
  inflate.onData = (chunk: Uint8Array) => {
    total += chunk.length;
    if (total > MAX_PROFILE_BYTES) throw new RangeError('ICC profile over its limit');
    chunks.push(chunk);
  };
  try {
    inflate.push(stored.bytes, true);
  } catch {
    return undefined;
  }
  if (inflate.err) return undefined;
  return concatBytes(chunks);
}

const s15Fixed16 = (view: DataView, at: number) => view.getInt32(at) / 65536;
const signature = (bytes: Uint8Array, at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));

/** A tone curve (`curv` or `para`) as a function of 0–1. */
function toneCurve(bytes: Uint8Array, view: DataView, at: number): ((x: number) => number) | undefined {
  const type = signature(bytes, at);
  if (type === 'curv') {
    const count = view.getUint32(at + 8);
    if (count === 0) return (x) => x;
    if (count === 1) {
      const gamma = view.getUint16(at + 12) / 256;
      return (x) => x ** gamma;
    }
    const table = Array.from({ length: count }, (_, i) => view.getUint16(at + 12 + 2 * i) / 65535);
    return (x) => {
      const position = x * (count - 1);
      const low = Math.floor(position);
      const high = Math.min(count - 1, low + 1);
      return table[low]! + (table[high]! - table[low]!) * (position - low);
    };
  }
  if (type === 'para') {
    const kind = view.getUint16(at + 8);
    const [g = 1, a = 1, b = 0, c = 0, d = 0, e = 0, f = 0] = Array.from({ length: [1, 3, 4, 5, 7][kind] ?? 0 }, (_, i) => s15Fixed16(view, at + 12 + 4 * i));
    switch (kind) {
      case 0: return (x) => x ** g;
      case 1: return (x) => (x >= -b / a ? (a * x + b) ** g : 0);
      case 2: return (x) => (x >= -b / a ? (a * x + b) ** g + c : c);
      case 3: return (x) => (x >= d ? (a * x + b) ** g : c * x);
      case 4: return (x) => (x >= d ? (a * x + b) ** g + e : c * x + f);
    }
  }
  return undefined;
}

const srgbToLinear = (x: number) => (x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);

function invert3(m: readonly number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [e * i - f * h, c * h - b * i, b * f - c * e, f * g - d * i, a * i - c * g, c * d - a * f, d * h - e * g, b * g - a * h, a * e - b * d].map((v) => v / det);
}

const multiply3 = (m: readonly number[], n: readonly number[]) =>
  Array.from({ length: 9 }, (_, k) => {
    const row = Math.floor(k / 3);
    const column = k % 3;
    return m[row * 3]! * n[column]! + m[row * 3 + 1]! * n[3 + column]! + m[row * 3 + 2]! * n[6 + column]!;
  });

/**
 * The conversion to sRGB a stored profile asks for; undefined when the
 * pixels are right as they are (no profile, sRGB already, not RGB);
 * `unconverted` for an RGB profile edgepix cannot apply (LUT-only, or
 * broken), whose pixels then pass as they are, and the answer says so.
 */
export function srgbConversion(stored: StoredProfile | undefined): SrgbConversion | 'unconverted' | undefined {
  if (!stored) return undefined;
  if (!conversions.has(stored)) conversions.set(stored, conversionOf(stored));
  return conversions.get(stored);
}

/** Each header's profile parsed (and inflated) once: a miss with gravity=auto, trim or fill(auto) plans a copy first. */
const conversions = new WeakMap<StoredProfile, SrgbConversion | 'unconverted' | undefined>();

function conversionOf(stored: StoredProfile): SrgbConversion | 'unconverted' | undefined {
  const bytes = profileBytes(stored);
  if (!bytes) return 'unconverted';
  if (!bytes || bytes.length < 132 || signature(bytes, 16) !== 'RGB ' || signature(bytes, 20) !== 'XYZ ') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tags = new Map<string, number>();
  const count = Math.min(view.getUint32(128), (bytes.length - 132) / 12);
  for (let i = 0; i < count; i++) {
    const offset = view.getUint32(132 + 12 * i + 4);
    if (offset + 12 <= bytes.length) tags.set(signature(bytes, 132 + 12 * i), offset);
  }
  const colorant = (tag: string) => {
    const at = tags.get(tag);
    return at === undefined || at + 20 > bytes.length || signature(bytes, at) !== 'XYZ ' ? undefined : [0, 1, 2].map((k) => s15Fixed16(view, at + 8 + 4 * k));
  };
  const columns = ['rXYZ', 'gXYZ', 'bXYZ'].map(colorant);
  let curves: ((x: number) => number)[];
  try {
    curves = ['rTRC', 'gTRC', 'bTRC'].map((tag) => (tags.has(tag) ? toneCurve(bytes, view, tags.get(tag)!) : undefined)).filter((curve) => curve !== undefined);
  } catch {
    return 'unconverted'; // a curve that runs past the profile's end
  }
  if (columns.some((column) => column === undefined) || curves.length !== 3) return 'unconverted';
  const profile = [0, 1, 2].flatMap((row) => columns.map((column) => column![row]!));
  const toLinear = curves.map((curve) => Float32Array.from({ length: 256 }, (_, v) => curve(v / 255))) as SrgbConversion['toLinear'];
  const sameCurves = toLinear.every((table) => table.every((value, v) => Math.abs(value - srgbToLinear(v / 255)) < SAME_AS_SRGB));
  if (sameCurves && profile.every((value, k) => Math.abs(value - SRGB_D50[k]!) < SAME_AS_SRGB)) return undefined;
  return { toLinear, matrix: Float64Array.from(multiply3(invert3(SRGB_D50), profile)) };
}
