/**
 * The native reference: sharp (libvips) with one thread, in its own process
 * started with UV_THREADPOOL_SIZE=1 and sharp.concurrency(1), so it is
 * compared with one workerd isolate on equal terms. libvips' operation cache
 * is off, or repeated runs would be served from it. The same process scores
 * edgepix's outputs by SSIM against sharp's own Lanczos3 resize.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startChild } from './child.mjs';

/** Parent side: a sharp process whose calls can be interleaved with edgepix requests. */
export async function startSharpReference() {
  const child = startChild('sharp-ref.mjs', { UV_THREADPOOL_SIZE: '1' });
  return {
    /** One timed decode → Lanczos3 resize → WebP; `{ wallMs, cpuMs }`. */
    time: (input, transform) => child.call('timeTransform', input.file, transform),
    /** One timed generic operation (see `operation` below); `{ wallMs, cpuMs, width, height }`. */
    timeOperation: (file, op) => child.call('timeOperation', file, op),
    /** SSIM of an edgepix output (and of sharp's own WebP) against sharp's Lanczos3 at the same size. */
    score: (input, edgepixOutput, transform) => child.call('scoreOutput', input.file, edgepixOutput, transform),
    stop: () => child.stop(),
  };
}

// ---- child side ----

let sharp;
let ssim;
const originals = new Map();

async function load() {
  if (sharp) return;
  sharp = (await import('sharp')).default;
  ssim = (await import('ssim.js')).ssim;
  sharp.concurrency(1);
  sharp.cache(false);
}

function original(file) {
  if (!originals.has(file)) originals.set(file, fs.readFileSync(file));
  return originals.get(file);
}

const reference = ({ width, quality }, buffer) =>
  sharp(buffer)
    .rotate() // EXIF auto-orient, as edgepix does
    .resize({ width, withoutEnlargement: true, kernel: 'lanczos3' })
    .webp({ quality })
    .toBuffer();

/** @public called by name in the child process (child.mjs) */
export async function timeTransform(file, transform) {
  const firstCall = !sharp;
  await load();
  const buffer = original(file);
  if (firstCall) await reference(transform, buffer); // library start-up is not part of a transform
  const wall = performance.now();
  const cpu = process.cpuUsage();
  await reference(transform, buffer);
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
}

// Transparent pixels are compared as they would look on a page: over the same grey.
const rgba = (image) => image.flatten({ background: '#808080' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });

async function ssimAgainst(encoded, target) {
  const { data, info } = await rgba(sharp(encoded));
  if (info.width !== target.width || info.height !== target.height) return null;
  // ssim.js defaults: Wang et al.'s reference method, which first downsamples by round(min(w, h) / 256).
  return ssim({ data, width: info.width, height: info.height }, target).mssim;
}

/** @public called by name in the child process (child.mjs) */
export async function scoreOutput(file, edgepixOutput, transform) {
  await load();
  const buffer = original(file);
  const { width, height } = await sharp(edgepixOutput).metadata();
  // sharp's Lanczos3 at exactly edgepix's output size, before any lossy encoding.
  const { data } = await rgba(sharp(buffer).rotate().resize(width, height, { fit: 'fill', kernel: 'lanczos3' }));
  const target = { data, width, height };
  return {
    width,
    height,
    ssim: await ssimAgainst(fs.readFileSync(edgepixOutput), target),
    sharpSsim: await ssimAgainst(await reference(transform, buffer), target),
  };
}

/**
 * Encoders of the generic operation, set as edgepix's own (src/codecs/*.ts) where sharp can:
 *   webp  method (effort) 4, as edgepix
 *   jpeg  progressive with optimised Huffman tables, 4:2:0, as edgepix; sharp's default libjpeg-turbo-compatible
 *         settings (no trellis quantisation), while edgepix runs MozJPEG's defaults: sharp does less work here
 *   avif  8-bit 4:2:0 (edgepix's @jsquash/avif subsample 1), effort 1: libvips hands aom speed 9 − effort,
 *         i.e. speed 8 as edgepix's ENCODE_SPEED
 *   png   sharp's defaults
 */
const SHARP_ENCODERS = {
  webp: (image, quality) => image.webp({ quality, effort: 4 }),
  jpeg: (image, quality) => image.jpeg({ quality, progressive: true, optimiseCoding: true, chromaSubsampling: '4:2:0' }),
  avif: (image, quality) => image.avif({ quality, effort: 1, chromaSubsampling: '4:2:0', bitdepth: 8 }),
  png: (image) => image.png(),
};

/**
 * A generic transform: auto-orient, resize (`fit` scale-down: inside the box, never enlarged; cover: fill
 * the box, cropped around the centre) with Lanczos3, encode. No width and no height: full size.
 * @param {{ width?: number, height?: number, fit?: 'scale-down' | 'cover', format: keyof SHARP_ENCODERS, quality: number }} op
 */
function operation(buffer, { width, height, fit = 'scale-down', format, quality }) {
  let image = sharp(buffer, { limitInputPixels: false }).rotate();
  if (width || height) {
    const fitting = fit === 'cover' ? { fit: 'cover', position: 'centre' } : { fit: 'inside', withoutEnlargement: true };
    image = image.resize({ width, height, kernel: 'lanczos3', ...fitting });
  }
  return SHARP_ENCODERS[format](image, quality).toBuffer({ resolveWithObject: true });
}

const warmedFormats = new Set();

/** @public called by name in the child process (child.mjs) */
export async function timeOperation(file, op) {
  await load();
  if (!warmedFormats.has(op.format)) {
    // The first use of an encoder (library start-up) is not part of a transform.
    const tiny = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#6a8caf' } }).jpeg().toBuffer();
    await operation(tiny, { ...op, width: 32, height: 32 });
    warmedFormats.add(op.format);
  }
  const buffer = fs.readFileSync(file); // not kept: the matrix's originals add up to hundreds of MB
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const { info } = await operation(buffer, op);
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000, width: info.width, height: info.height };
}
