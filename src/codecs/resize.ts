/**
 * Lanczos3 resampling with the Rust `resize` crate, using the WASM that
 * @jsquash/resize ships but calling its one export directly: that package's
 * wasm-bindgen glue keeps a single instance for the isolate's life, and a
 * WASM memory only grows, so one 2048 px job would pin hundreds of MB. Here
 * the instance is replaced after a job that grew it too much. The module
 * imports nothing; the calling convention is wasm-bindgen's (return slot on
 * its shadow stack, input buffer handed over to Rust, output freed by us).
 */
import resizeWasm from '@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm';
import type { RgbaImage, Size } from './types';
import { MAX_RETAINED_MEMORY, wasmCodec } from './wasm-codec';

interface ResizeExports {
  memory: WebAssembly.Memory;
  __wbindgen_add_to_stack_pointer(delta: number): number;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(pointer: number, size: number, align: number): void;
  resize(
    result: number,
    input: number,
    inputLength: number,
    inputWidth: number,
    inputHeight: number,
    outputWidth: number,
    outputHeight: number,
    method: number,
    premultiply: number,
    linearRgb: number,
  ): void;
}

/** The crate's filters in @jsquash/resize's order: triangle, catrom, mitchell, lanczos3. */
const LANCZOS3 = 3;

let wasm: ResizeExports | undefined;

const resizer = wasmCodec(
  async () => {
    wasm = new WebAssembly.Instance(resizeWasm, { wbg: {} }).exports as unknown as ResizeExports;
  },
  () => (wasm?.memory.buffer.byteLength ?? 0) > MAX_RETAINED_MEMORY,
);

function lanczos3(image: RgbaImage, to: Size): RgbaImage {
  const exports = wasm!;
  const result = exports.__wbindgen_add_to_stack_pointer(-16);
  try {
    const input = exports.__wbindgen_malloc(image.data.length, 1);
    new Uint8Array(exports.memory.buffer).set(image.data, input);
    // Gamma-space filtering matches sharp and libvips defaults (and is faster than linear light).
    exports.resize(result, input, image.data.length, image.width, image.height, to.width, to.height, LANCZOS3, 1, 0);
    const [pointer, length] = new Int32Array(exports.memory.buffer, result, 2) as unknown as [number, number];
    const data = new Uint8ClampedArray(exports.memory.buffer, pointer, length).slice();
    exports.__wbindgen_free(pointer, length, 1);
    return { width: to.width, height: to.height, data };
  } finally {
    exports.__wbindgen_add_to_stack_pointer(16);
  }
}

export function resizeRgba(image: RgbaImage, to: Size): Promise<RgbaImage> {
  return resizer.run(async () => lanczos3(image, to));
}
