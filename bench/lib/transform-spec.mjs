/**
 * The one transformation every pipeline in the bench performs unless a
 * section says otherwise: 400 px wide WebP q80, never enlarged, so edgepix,
 * sharp and the naive pipeline produce the same size from the same input.
 */
export const BENCH_TRANSFORM = { width: 400, quality: 80 };

/** edgepix options segment for `GET /img/<options>/<key>`. */
export const edgepixOptions = ({ width, quality }) => `width=${width},format=webp,quality=${quality}`;

/** Output size of a width-only, scale-down resize (edgepix's default fit). */
export function scaleDownSize(source, width) {
  if (source.width <= width) return { width: source.width, height: source.height };
  return { width, height: Math.max(1, Math.round((source.height * width) / source.width)) };
}
