/**
 * The canonical transformation every URL dialect parses into. It is plain,
 * serialisable data: the pipeline alone decides how to execute it.
 */

export const FITS = ['scale-down', 'contain', 'cover', 'crop', 'pad', 'squeeze'] as const;
/**
 * `outside` (Thumbor's full-fit-in) scales, enlarging if need be, until the
 * image covers the box without cropping; no /img option names it yet.
 */
export type Fit = (typeof FITS)[number] | 'outside';

export const OUTPUT_FORMATS = ['avif', 'webp', 'jpeg', 'png', 'gif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `auto` negotiates from Accept; `undefined` keeps the original's format family. */
export type RequestedFormat = OutputFormat | 'auto';

/** A focal point as fractions of the oriented image: {0,0} is top-left, {1,1} bottom-right. */
export interface Gravity {
  x: number;
  y: number;
}

/** 8-bit straight (non-premultiplied) colour. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

export interface TransformSpec {
  /** Output box in device pixels (dpr already applied); either may be absent. */
  width?: number;
  height?: number;
  fit: Fit;
  /** Only meaningful for `cover` and `crop`. */
  gravity: Gravity;
  /** 1–100; absent means the encoder's default for the chosen format. */
  quality?: number;
  format?: RequestedFormat;
  /** Fills `pad` borders and is composited under transparent pixels. */
  background?: Rgba;
  /** A region of the oriented original, in its pixels, cut before any fitting (Thumbor's manual crop). */
  crop?: Region;
  /** Swaps the box's sides when its orientation differs from the picture's (Thumbor's adaptive-fit-in). */
  adaptive?: boolean;
  /** Mirrors the output: horizontal swaps left and right, vertical swaps top and bottom. */
  flipHorizontal?: boolean;
  flipVertical?: boolean;
  /** Quarter turns of the output, clockwise. */
  rotate?: 90 | 180 | 270;
  grayscale?: boolean;
  /** -100 to 100: percent of full scale added to every channel. */
  brightness?: number;
  /** -100 to 100: stretches (positive) or flattens (negative) channels around mid-grey. */
  contrast?: number;
  /** Gaussian sigma in output pixels. */
  blur?: number;
  /** Unsharp mask: `amount` × (image − blurred image), blurred with sigma `radius`. */
  sharpen?: { amount: number; radius: number };
  /** The encoder lowers quality until the output is at most this many bytes, where the format allows. */
  maxBytes?: number;
  /** False: an animated original gives only its first frame, in any format (Cloudflare's `anim=false`). */
  anim?: false;
}

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const CENTER: Gravity = { x: 0.5, y: 0.5 };

export const DEFAULT_SPEC: TransformSpec = { fit: 'scale-down', gravity: CENTER };

/** A spec whose format is settled, as used for storage and cache keys. */
export interface ResolvedSpec extends TransformSpec {
  format: OutputFormat;
}
