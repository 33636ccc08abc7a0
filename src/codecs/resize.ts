/** Lanczos3 resampling via the Rust `resize` crate (@jsquash/resize). */
import resize, { initResize } from '@jsquash/resize';
import resizeWasm from '@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm';
import type { RgbaImage, Size } from './types';
import { asImageData, wasmCodec } from './wasm-codec';

const resizer = wasmCodec(() => initResize(resizeWasm));

export function resizeRgba(image: RgbaImage, to: Size): Promise<RgbaImage> {
  // Gamma-space filtering matches sharp and libvips defaults (and is faster than linear light).
  return resizer.run(() =>
    resize(asImageData(image), { ...to, method: 'lanczos3', fitMethod: 'stretch', premultiply: true, linearRGB: false }),
  );
}
