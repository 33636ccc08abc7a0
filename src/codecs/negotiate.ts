/** Settles the output format, including `format=auto` from the request's Accept header. */
import type { OutputFormat, RequestedFormat } from '../spec/transform-spec';
import type { InputFormat } from './types';

/** True when Accept names `type` explicitly with q > 0 (wildcards do not promise AVIF or WebP). */
function accepts(accept: string | null, type: string): boolean {
  if (!accept) return false;
  return accept.split(',').some((entry) => {
    const [name, ...params] = entry.split(';').map((p) => p.trim().toLowerCase());
    if (name !== type) return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

export interface SourceTraits {
  format: InputFormat;
  /** Undefined when the header was not read far enough to tell. */
  hasAlpha?: boolean;
  /** A GIF (which may hold frames), or a WebP whose VP8X chunk says it is animated. */
  animated?: boolean;
}

export function resolveFormat(requested: RequestedFormat | undefined, accept: string | null, source: SourceTraits): OutputFormat {
  if (requested === undefined) return source.format;
  if (requested !== 'auto') return requested;
  // Of the formats we write, only WebP and GIF animate: an animation stays one, as WebP where the client takes it.
  if (source.animated) return accepts(accept, 'image/webp') ? 'webp' : 'gif';
  if (accepts(accept, 'image/avif')) return 'avif';
  if (accepts(accept, 'image/webp')) return 'webp';
  return source.hasAlpha === false ? 'jpeg' : 'png';
}
