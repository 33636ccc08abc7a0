/**
 * One string per distinct transformation: option order, aliases, dpr and
 * options that cannot change the output never produce a new variant.
 */
import { hexByte } from '../lib/hex';
import { CENTER, type ResolvedSpec, type Rgba } from './transform-spec';

const rgbaHex = (c: Rgba) => hexByte(c.r) + hexByte(c.g) + hexByte(c.b) + hexByte(c.a);

const usesGravity = (spec: ResolvedSpec) => spec.fit === 'cover' || spec.fit === 'crop';

/** Serialises in a fixed order, leaving out defaults and options with no effect. */
export function canonicalize(spec: ResolvedSpec): string {
  const parts: string[] = [];
  if (spec.width !== undefined) parts.push(`w=${spec.width}`);
  if (spec.height !== undefined) parts.push(`h=${spec.height}`);
  if (spec.fit !== 'scale-down') parts.push(`fit=${spec.fit}`);
  if (usesGravity(spec) && (spec.gravity.x !== CENTER.x || spec.gravity.y !== CENTER.y)) {
    parts.push(`g=${spec.gravity.x}x${spec.gravity.y}`);
  }
  // PNG is lossless and our GIF writer has no quality: a quality there changes nothing.
  if (spec.quality !== undefined && spec.format !== 'png' && spec.format !== 'gif') parts.push(`q=${spec.quality}`);
  parts.push(`f=${spec.format}`);
  if (spec.background) parts.push(`bg=${rgbaHex(spec.background)}`);
  return [...parts, ...effectParts(spec)].join(',');
}

/** Options only some dialects set; absent ones add nothing, so older variant keys stay valid. */
function effectParts(spec: ResolvedSpec): string[] {
  const parts: string[] = [];
  const { crop } = spec;
  if (crop) parts.push(`crop=${crop.x}x${crop.y}:${crop.width}x${crop.height}`);
  if (spec.adaptive) parts.push('adaptive');
  if (spec.flipHorizontal) parts.push('flip=h');
  if (spec.flipVertical) parts.push('flip=v');
  if (spec.rotate) parts.push(`rot=${spec.rotate}`);
  if (spec.grayscale) parts.push('gray');
  if (spec.brightness) parts.push(`bri=${spec.brightness}`);
  if (spec.contrast) parts.push(`con=${spec.contrast}`);
  if (spec.blur) parts.push(`blur=${spec.blur}`);
  if (spec.sharpen) parts.push(`sharpen=${spec.sharpen.amount}r${spec.sharpen.radius}`);
  if (spec.maxBytes !== undefined) parts.push(`maxb=${spec.maxBytes}`);
  if (spec.anim === false) parts.push('anim=false');
  return parts;
}
