/**
 * One string per distinct transformation: option order, aliases, dpr and
 * options that cannot change the output never produce a new variant.
 */
import { hexByte } from '../lib/hex';
import { CENTER, type Overlay, type ResolvedSpec, type Rgba } from './transform-spec';

const rgbaHex = (c: Rgba) => hexByte(c.r) + hexByte(c.g) + hexByte(c.b) + hexByte(c.a);

const usesGravity = (spec: ResolvedSpec) => spec.fit === 'cover' || spec.fit === 'crop';

/** Composed curves carry float noise (1.2 × 0.1): four decimals are below what 8-bit channels can show. */
const rounded = (value: number) => Number(value.toFixed(4));

/** Serialises in a fixed order, leaving out defaults and options with no effect. */
export function canonicalize(spec: ResolvedSpec): string {
  const parts: string[] = [];
  if (spec.width !== undefined) parts.push(`w=${spec.width}`);
  if (spec.height !== undefined) parts.push(`h=${spec.height}`);
  if (spec.fit !== 'scale-down') parts.push(`fit=${spec.fit}`);
  const { focus } = spec;
  if (usesGravity(spec) && focus) parts.push(`focus=${focus.x}x${focus.y}:${focus.width}x${focus.height}`);
  else if (usesGravity(spec) && spec.smart) parts.push('g=auto');
  else if (usesGravity(spec) && (spec.gravity.x !== CENTER.x || spec.gravity.y !== CENTER.y)) {
    parts.push(`g=${spec.gravity.x}x${spec.gravity.y}`);
  }
  // PNG is lossless and our GIF writer has no quality: a quality there changes nothing.
  if (spec.quality !== undefined && spec.format !== 'png' && spec.format !== 'gif') parts.push(`q=${spec.quality}`);
  parts.push(`f=${spec.format}`);
  if (spec.edgeBackground) parts.push('bg=edges');
  else if (spec.background) parts.push(`bg=${rgbaHex(spec.background)}`);
  return [...parts, ...effectParts(spec)].join(',');
}

/** Every field of an overlay, its original by key and ETag, in a fixed order. */
function overlayParts({ key, etag, gravity, background, ...rest }: Overlay): string {
  const fields = Object.entries(rest).filter(([, value]) => value !== undefined).sort(([a], [b]) => a.localeCompare(b));
  const extra = [`g${gravity.x}x${gravity.y}`, ...(background ? [`bg${rgbaHex(background)}`] : []), ...fields.map(([name, value]) => `${name}${value}`)];
  return `${encodeURIComponent(key)}@${etag ?? ''}:${extra.join(':')}`;
}

/** Options only some dialects set; absent ones add nothing, so older variant keys stay valid. */
function effectParts(spec: ResolvedSpec): string[] {
  const parts: string[] = [];
  const { crop } = spec;
  if (crop) parts.push(`crop=${crop.x}x${crop.y}:${crop.width}x${crop.height}`);
  const { trim } = spec;
  if (trim && 'border' in trim) parts.push(`trim=border:${trim.border.color ? rgbaHex(trim.border.color) : (trim.border.corner ?? 'top-left')}:${trim.border.tolerance}:${trim.border.keep}`);
  else if (trim) parts.push(`trim=${trim.top};${trim.right};${trim.bottom};${trim.left}${trim.width === undefined ? '' : `;w${trim.width}`}${trim.height === undefined ? '' : `;h${trim.height}`}`);
  if (spec.adaptive) parts.push('adaptive');
  if (spec.flipHorizontal) parts.push('flip=h');
  if (spec.flipVertical) parts.push('flip=v');
  if (spec.rotate) parts.push(`rot=${spec.rotate}`);
  if (spec.grayscale) parts.push('gray');
  if (spec.saturation !== undefined && spec.saturation !== 1) parts.push(`sat=${rounded(spec.saturation)}`);
  if (spec.linear && (spec.linear.a !== 1 || spec.linear.b !== 0)) parts.push(`lin=${rounded(spec.linear.a)}x${rounded(spec.linear.b)}`);
  if (spec.gamma !== undefined && spec.gamma !== 1) parts.push(`gamma=${rounded(spec.gamma)}`);
  const shift = spec.channelShift;
  if (shift) parts.push(`rgb=${shift.r}x${shift.g}x${shift.b}`);
  if (spec.equalize) parts.push('equalize');
  if (spec.noise) parts.push(`noise=${spec.noise}`);
  if (spec.blur) parts.push(`blur=${spec.blur}`);
  if (spec.sharpen) parts.push(`sharpen=${spec.sharpen.amount}r${spec.sharpen.radius}`);
  const corners = spec.roundCorners;
  if (corners) parts.push(`round=${corners.x}x${corners.y}:${rgbaHex(corners.color)}`);
  const { draw } = spec;
  if (draw) parts.push(`draw=${overlayParts(draw)}`);
  const frame = spec.border;
  if (frame) parts.push(`border=${frame.top};${frame.right};${frame.bottom};${frame.left}:${rgbaHex(frame.color)}`);
  if (spec.baseline && spec.format === 'jpeg') parts.push('baseline');
  if (spec.metadata && ['jpeg', 'png', 'webp'].includes(spec.format)) parts.push(`meta=${spec.metadata}`);
  if (spec.maxBytes !== undefined) parts.push(`maxb=${spec.maxBytes}`);
  if (spec.anim === false) parts.push('anim=false');
  return parts;
}
