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
  /** Gravity from the picture's content instead (Cloudflare's gravity=auto, Thumbor's smart); `cover` and `crop` only. */
  smart?: boolean;
  /** A region of the oriented original (its pixels) whose centre is the gravity (Thumbor's focal filter). */
  focus?: Region;
  /** 1–100; absent means the encoder's default for the chosen format. */
  quality?: number;
  /** A failed transform answers with a redirect to the original's own URL, where it has one (Cloudflare's onerror=redirect). */
  onErrorRedirect?: boolean;
  /** The quality instead for a client whose hints say its connection is slow (Cloudflare's slow-connection-quality). */
  slowQuality?: number;
  format?: RequestedFormat;
  /** Fills `pad` borders and is composited under transparent pixels. */
  background?: Rgba;
  /** The background is the mean colour of the picture's own edges instead (Thumbor's fill(auto)). */
  edgeBackground?: boolean;
  /** A region of the oriented original, in its pixels, cut before any fitting (Thumbor's manual crop). */
  crop?: Region;
  /** Edges cut off the oriented original (after `crop`), before any fitting: given, or found by their colour (Cloudflare's trim). */
  trim?: Trim;
  /** Swaps the box's sides when its orientation differs from the picture's (Thumbor's adaptive-fit-in). */
  adaptive?: boolean;
  /** Mirrors the output: horizontal swaps left and right, vertical swaps top and bottom. */
  flipHorizontal?: boolean;
  flipVertical?: boolean;
  /** Quarter turns of the output, clockwise. */
  rotate?: 90 | 180 | 270;
  grayscale?: boolean;
  /** Every colour channel becomes `a × value + b` (on 0–255): brightness and contrast of both dialects, composed. */
  linear?: Linear;
  /** Percent of full scale added to red, green and blue each, before `linear` (Thumbor's rgb). */
  channelShift?: { r: number; g: number; b: number };
  /** Each channel's histogram spread over the whole range (Thumbor's equalize). */
  equalize?: boolean;
  /** Percent of full scale of random noise added to each channel, the same for the same picture (Thumbor's noise). */
  noise?: number;
  /** Exposure, after `linear`: a channel becomes 255 × (value / 255)^(1 / gamma); above 1 lightens. */
  gamma?: number;
  /** Colourfulness, a multiplier of each channel's distance from the luma: 0 is grey, 2 twice as colourful. */
  saturation?: number;
  /** Gaussian sigma in output pixels. */
  blur?: number;
  /** Unsharp mask: `amount` × (image − blurred image), blurred with sigma `radius`. */
  sharpen?: { amount: number; radius: number };
  /** `format=auto` settles on the quickest format to encode, whatever the client accepts (Cloudflare's compression=fast). */
  fastCompression?: boolean;
  /** EXIF a JPEG output carries: absent is `copyright` (that tag alone), as Cloudflare's default. */
  metadata?: 'keep' | 'none';
  /** A JPEG output is baseline, never progressive (Cloudflare's format=baseline-jpeg). */
  baseline?: boolean;
  /** Corners cut as ellipses of these radii (output pixels) and filled with `color` (Thumbor's round_corner). */
  roundCorners?: { x: number; y: number; color: Rgba };
  /** Another original drawn over the output (Cloudflare's draw, Thumbor's watermark). */
  draw?: Overlay;
  /** A frame added around the finished picture, in output pixels (Cloudflare's border). */
  border?: { color: Rgba; top: number; right: number; bottom: number; left: number };
  /** The encoder lowers quality until the output is at most this many bytes, where the format allows. */
  maxBytes?: number;
  /** False: an animated original gives only its first frame, in any format (Cloudflare's `anim=false`). */
  anim?: false;
}

/** Pixels off each edge; `width`/`height`, when given, keep that much from `left`/`top` instead of cutting right/bottom. */
export interface TrimEdges {
  top: number;
  right: number;
  bottom: number;
  left: number;
  width?: number;
  height?: number;
}

/** Edges of one colour (`color`, else the corner pixel's) within `tolerance`, cut but for `keep` pixels of them. */
export interface TrimBorder {
  /** `corner`: whose pixel is the border colour when `color` is not given (Thumbor may name the bottom-right). */
  border: { color?: Rgba; tolerance: number; keep: number; corner?: 'top-left' | 'bottom-right' };
}

export type Trim = TrimEdges | TrimBorder;

/** `a × value + b`; `{ a: 1, b: 0 }` changes nothing. */
export interface Linear {
  a: number;
  b: number;
}

/**
 * An overlay: an original (a key, like the URL's) sized to fit `width`×`height`
 * (or those shares of the output), then placed by its edge offsets — or, on
 * an axis with none, by `gravity` — and blended at `opacity`; `repeat` tiles
 * it from there over the whole output, along x, or along y.
 */
export interface Overlay {
  key: string;
  /** The overlay original's ETag, settled by delivery: a replaced overlay makes new variants. */
  etag?: string;
  width?: number;
  height?: number;
  /** Shares (0–1] of the output's width and height the overlay may take (Thumbor's w_ratio, h_ratio). */
  widthShare?: number;
  heightShare?: number;
  fit: Fit;
  gravity: Gravity;
  opacity: number;
  repeat?: 'both' | 'x' | 'y';
  top?: number;
  left?: number;
  bottom?: number;
  right?: number;
  background?: Rgba;
  rotate?: 90 | 180 | 270;
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
