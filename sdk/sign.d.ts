/** edgepix/sign: mint private links for edgepix (Web Crypto only). */

export interface ExpiresIn {
  /** Seconds from now (or from `now`), more than zero. */
  expiresIn: number;
  expiresAt?: undefined;
  /** Milliseconds since the epoch to count from; defaults to Date.now(). */
  now?: number;
}

export interface ExpiresAt {
  /** A Date, or unix seconds. */
  expiresAt: Date | number;
  expiresIn?: undefined;
  now?: number;
}

export type SignOptions = {
  /** The secret of the worker's first SIGNING_KEYS entry (the part after `kid:`). */
  key: string;
  /** That entry's key id; lets the worker pick the key instead of trying each. */
  kid?: string;
} & (ExpiresIn | ExpiresAt);

export interface ImageOptions {
  width?: number;
  height?: number;
  fit?: 'scale-down' | 'contain' | 'cover' | 'crop' | 'pad' | 'squeeze';
  gravity?: 'center' | 'left' | 'right' | 'top' | 'bottom' | { x: number; y: number } | string;
  quality?: number;
  format?: 'auto' | 'avif' | 'webp' | 'jpeg' | 'png';
  dpr?: number;
  background?: string;
}

/** Adds `exp`, `kid` and `sig` to a path (`/img/...`) or an absolute URL. */
export declare function signUrl(url: string, options: SignOptions): Promise<string>;

/** The canonical `/img/<options>/<key>` path for an options object. */
export declare function imageUrl(key: string, options: ImageOptions): string;

/** Percent-encodes each `/`-separated segment of an original's key. */
export declare function encodeKey(key: string): string;

/** A `srcset` attribute value with one signed URL per width. */
export declare function srcset(
  key: string,
  widths: readonly number[],
  options: SignOptions & { options?: Omit<ImageOptions, 'width'>; base?: string },
): Promise<string>;

export { stringToSign } from './canonical.js';
