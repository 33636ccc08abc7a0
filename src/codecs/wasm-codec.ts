/**
 * Initialises a WASM codec lazily, once per isolate, and starts it afresh
 * after a trap: an Emscripten instance that aborted is unusable, and its
 * memory (which only ever grows) is released with it.
 */
export interface WasmCodec {
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function wasmCodec(init: () => Promise<unknown>): WasmCodec {
  let ready: Promise<unknown> | undefined;
  return {
    async run(work) {
      ready ??= init();
      await ready;
      try {
        return await work();
      } catch (error) {
        if (error instanceof WebAssembly.RuntimeError) ready = undefined;
        throw error;
      }
    },
  };
}

/** jsquash codecs take and return ImageData; workerd has none, so a structural one suffices. */
export const asImageData = (image: { width: number; height: number; data: Uint8ClampedArray }) =>
  ({ width: image.width, height: image.height, data: image.data, colorSpace: 'srgb' }) as ImageData;
