/**
 * The naive @jsquash pipeline that open-source Workers resizers ship, run in
 * Node (V8, the engine workerd embeds) in its own process: decode at full
 * size → @jsquash/resize Lanczos3 → @jsquash/webp encode. Each .wasm is
 * compiled from node_modules and handed to jsquash's init, as a Worker does.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { startChild } from './child.mjs';
import { scaleDownSize } from './transform-spec.mjs';

/** Parent side: a process running the naive pipeline, one timed transform per call. */
export async function startNaivePipeline() {
  const child = startChild('naive.mjs');
  return {
    /** `{ wallMs, cpuMs, stages: { decode, resize, encode } }` */
    time: (input, transform) => child.call('timeTransform', input.file, input.format, transform),
    stop: () => child.stop(),
  };
}

// ---- child side ----

const require = createRequire(import.meta.url);
const compileWasm = (specifier) => WebAssembly.compile(fs.readFileSync(require.resolve(specifier)));
const DECODERS = {
  jpeg: ['@jsquash/jpeg/decode.js', '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'],
  png: ['@jsquash/png/decode.js', '@jsquash/png/codec/pkg/squoosh_png_bg.wasm'],
  webp: ['@jsquash/webp/decode.js', '@jsquash/webp/codec/dec/webp_dec.wasm'],
  avif: ['@jsquash/avif/decode.js', '@jsquash/avif/codec/dec/avif_dec.wasm'],
};

let codecs;

/** Loads each jsquash codec once with its precompiled module. */
async function loadCodecs() {
  if (codecs) return codecs;
  const decoders = {};
  for (const [format, [js, wasm]] of Object.entries(DECODERS)) {
    const codec = await import(js);
    await codec.init(await compileWasm(wasm));
    decoders[format] = codec.default ?? codec.decode;
  }
  const resizer = await import('@jsquash/resize');
  await resizer.initResize(await compileWasm('@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm'));
  const webpEncoder = await import('@jsquash/webp/encode.js');
  // V8 has WASM SIMD, so the SIMD build is the one jsquash would pick, as in workerd.
  await webpEncoder.init(await compileWasm('@jsquash/webp/codec/enc/webp_enc_simd.wasm'));
  codecs = { decoders, resize: resizer.default, encodeWebp: webpEncoder.default };
  return codecs;
}

async function transformOnce(bytes, format, transform) {
  const { decoders, resize, encodeWebp } = await loadCodecs();
  const t0 = performance.now();
  const decoded = await decoders[format](bytes.slice().buffer);
  const t1 = performance.now();
  const size = scaleDownSize(decoded, transform.width);
  // Same resize settings as edgepix: gamma-space Lanczos3 with premultiplied alpha.
  const resized = await resize(decoded, { ...size, method: 'lanczos3', fitMethod: 'stretch', premultiply: true, linearRGB: false });
  const t2 = performance.now();
  await encodeWebp(resized, { quality: transform.quality, method: 4 });
  const t3 = performance.now();
  return { decode: t1 - t0, resize: t2 - t1, encode: t3 - t2 };
}

const warmedUp = new Set();

/** @public called by name in the child process (child.mjs) */
export async function timeTransform(file, format, transform) {
  const bytes = fs.readFileSync(file);
  // One untimed run per decoder first: V8 tiers WASM up as it runs, and the worker is measured warm too.
  if (!warmedUp.has(format)) {
    await transformOnce(bytes, format, transform);
    warmedUp.add(format);
  }
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const stages = await transformOnce(bytes, format, transform);
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000, stages };
}
