/** Options that choose the output file: format, quality, compression, metadata, animation, and what a failure answers. */
import * as v from 'valibot';
import { OUTPUT_FORMATS, type RequestedFormat } from '../../../spec/transform-spec';
import { option, wholeNumber } from './define';

const FORMAT_NAMES = ['auto', ...OUTPUT_FORMATS, 'baseline-jpeg'] as const;
const formatSchema = v.pipe(
  v.string(),
  v.transform((f) => (f === 'jpg' ? 'jpeg' : f)),
  v.picklist(FORMAT_NAMES, `one of ${FORMAT_NAMES.join(', ')}`),
);

/** Cloudflare's perceptual quality names, as numbers of our encoders' scale (Cloudflare does not publish its own). */
const QUALITY_NAMES: Record<string, number> = { high: 90, 'medium-high': 80, 'medium-low': 65, low: 50 };
const qualitySchema = v.union(
  [v.pipe(v.picklist(Object.keys(QUALITY_NAMES)), v.transform((name) => QUALITY_NAMES[name]!)), wholeNumber(1, 100)],
  `1 to 100, or ${Object.keys(QUALITY_NAMES).join(', ')}`,
);

export const OUTPUT_OPTIONS = [
  option({
    name: 'format',
    aliases: ['f'],
    schema: formatSchema,
    apply: (d, value) => {
      d.format = (value === 'baseline-jpeg' ? 'jpeg' : value) as RequestedFormat;
      d.baseline = value === 'baseline-jpeg' || undefined;
    },
    doc: { values: 'auto, avif, webp, jpeg (jpg), baseline-jpeg, png, gif; json (see below)', default: "the original's format", example: 'format=auto' },
  }),
  option({
    name: 'quality',
    aliases: ['q'],
    schema: qualitySchema,
    apply: (d, value) => (d.quality = value),
    doc: { values: '1 to 100; high (90), medium-high (80), medium-low (65), low (50)', default: 'jpeg 85, webp 85, avif 60', example: 'quality=75' },
  }),
  option({
    name: 'slow-connection-quality',
    aliases: ['scq'],
    schema: qualitySchema,
    apply: (d, value) => (d.slowQuality = value),
    doc: { values: 'as quality: used instead when the client hints say the connection is slow (Save-Data: on, ECT 2G–3G, RTT over 150 ms, Downlink under 5 Mbit/s)', default: 'none', example: 'scq=50' },
  }),
  option({
    name: 'compression',
    aliases: [],
    schema: v.picklist(['fast'], 'fast'),
    apply: (d) => (d.fastCompression = true),
    doc: { values: 'fast: with format=auto, JPEG (PNG if transparent) instead of AVIF or WebP — the quickest to encode', default: 'none', example: 'compression=fast' },
  }),
  option({
    name: 'metadata',
    aliases: [],
    schema: v.picklist(['copyright', 'keep', 'none'], 'one of copyright, keep, none'),
    apply: (d, value) => (d.metadata = value === 'copyright' ? undefined : value),
    doc: { values: "copyright (the Copyright tag alone), keep (all EXIF, GPS too), none — JPEG outputs; WebP and PNG carry none", default: 'copyright', example: 'metadata=keep' },
  }),
  option({
    name: 'anim',
    aliases: [],
    schema: v.picklist(['true', 'false'], 'true or false'),
    apply: (d, value) => {
      if (value === 'false') d.anim = false;
      else delete d.anim;
    },
    doc: { values: 'true, false (first frame only)', default: 'true', example: 'anim=false' },
  }),
  option({
    name: 'onerror',
    aliases: [],
    schema: v.picklist(['redirect'], 'redirect'),
    apply: (d) => (d.onErrorRedirect = true),
    doc: { values: "redirect: a transform that fails answers 302 to the original's own URL — only for an http origin's original that may be served unsigned", default: 'the error', example: 'onerror=redirect' },
  }),
];
