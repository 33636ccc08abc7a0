/**
 * Initialises a WASM codec lazily, once per isolate, and starts it afresh
 * when that pays: after a trap (an aborted Emscripten instance is unusable)
 * and after a job that grew its memory past a threshold (WASM memories only
 * grow, so one big image would otherwise pin that memory for the isolate's
 * life).
 */
import { trackWasmMemory } from '../lib/memory-meter';

export interface WasmCodec {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** Emscripten's hook for instantiating the module itself. */
export interface EmscriptenOverrides {
  instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void): WebAssembly.Exports;
}

/** jsquash's `init(module, overrides)`; its typings omit both arguments. */
export type EmscriptenInit = (module: WebAssembly.Module, overrides: EmscriptenOverrides) => Promise<unknown>;

/**
 * Memory an instance may keep between jobs; beyond it, the instance is
 * replaced. Encoding a 400 px thumbnail stays below it; the 200-request mix
 * held 258 MB after a full GC with 16 MiB against 282 MB with 32, in the same time.
 */
const MAX_RETAINED_MEMORY = 16 * 1024 * 1024;

/**
 * Runs jobs on a lazily initialised codec. After a trap the codec starts
 * afresh (an aborted instance is unusable); when `oversized` says a job left
 * it holding too much memory, it is re-initialised at once, so nothing keeps
 * the big instance reachable and the next GC can free it.
 */
function wasmCodec(init: () => Promise<unknown>, oversized: () => boolean = () => false): WasmCodec {
  let ready: Promise<unknown> | undefined;
  return {
    async run(work) {
      ready ??= init();
      try {
        await ready;
      } catch (error) {
        ready = undefined;
        throw error;
      }
      try {
        return await work();
      } catch (error) {
        if (error instanceof WebAssembly.RuntimeError) ready = undefined;
        throw error;
      } finally {
        if (ready && oversized()) ready = init();
      }
    },
  };
}

/**
 * For jsquash's Emscripten codecs: we instantiate the module ourselves to see
 * its memory. Re-initialising replaces the glue's own reference to the
 * instance too.
 */
export function emscriptenCodec(module: WebAssembly.Module, init: EmscriptenInit): WasmCodec {
  let memory: WebAssembly.Memory | undefined;
  const overrides: EmscriptenOverrides = {
    instantiateWasm(imports, receive) {
      const instance = new WebAssembly.Instance(module, imports);
      memory = Object.values(instance.exports).find((e): e is WebAssembly.Memory => e instanceof WebAssembly.Memory);
      if (memory) trackWasmMemory(memory);
      receive(instance);
      return instance.exports;
    },
  };
  return wasmCodec(
    () => init(module, overrides),
    () => (memory?.buffer.byteLength ?? 0) > MAX_RETAINED_MEMORY,
  );
}

/** jsquash codecs take and return ImageData; workerd has none, so a structural one suffices. */
export const asImageData = (image: { width: number; height: number; data: Uint8ClampedArray }) =>
  ({ width: image.width, height: image.height, data: image.data, colorSpace: 'srgb' }) as ImageData;
