/**
 * Initialises a WASM codec lazily, once per isolate, and starts it afresh
 * when that pays: after a trap (an aborted Emscripten instance is unusable)
 * and after a job that grew its memory past a threshold (WASM memories only
 * grow, so one big image would otherwise pin that memory for the isolate's
 * life).
 */
export interface WasmCodec {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** Emscripten's hook for instantiating the module itself. */
export interface EmscriptenOverrides {
  instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void): WebAssembly.Exports;
}

/** jsquash's `init(module, overrides)`; its typings omit both arguments. */
export type EmscriptenInit = (module: WebAssembly.Module, overrides: EmscriptenOverrides) => Promise<unknown>;

/** Memory a fresh instance may keep between jobs; beyond it, the instance is replaced. */
const MAX_RETAINED_MEMORY = 32 * 1024 * 1024;

/** For codecs whose glue can only be initialised once (wasm-bindgen): restarted after traps only. */
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

/**
 * For jsquash's Emscripten codecs: we instantiate the module ourselves to see
 * its memory, and re-initialise right after a job that grew it, so the glue
 * drops its reference to the big instance at once.
 */
export function emscriptenCodec(module: WebAssembly.Module, init: EmscriptenInit): WasmCodec {
  let memory: WebAssembly.Memory | undefined;
  const overrides: EmscriptenOverrides = {
    instantiateWasm(imports, receive) {
      const instance = new WebAssembly.Instance(module, imports);
      memory = Object.values(instance.exports).find((e): e is WebAssembly.Memory => e instanceof WebAssembly.Memory);
      receive(instance);
      return instance.exports;
    },
  };
  const codec = wasmCodec(() => init(module, overrides));
  return {
    async run(work) {
      const result = await codec.run(work);
      if ((memory?.buffer.byteLength ?? 0) > MAX_RETAINED_MEMORY) await init(module, overrides);
      return result;
    },
  };
}

/** jsquash codecs take and return ImageData; workerd has none, so a structural one suffices. */
export const asImageData = (image: { width: number; height: number; data: Uint8ClampedArray }) =>
  ({ width: image.width, height: image.height, data: image.data, colorSpace: 'srgb' }) as ImageData;
