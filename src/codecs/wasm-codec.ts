/**
 * jsquash's Emscripten codecs (aom for AVIF, MozJPEG for the optimize pass),
 * each with a WASM module of its own: one instance per job. Their memories
 * start at 16 MiB and grow with the picture, and a kept instance would be
 * charged to the isolate between requests, beside the shared codec heap;
 * instantiating a compiled module costs a few ms against their 0.2–5 s jobs.
 */
import { noteDroppedMemory } from '../lib/collect-garbage';
import { trackWasmMemory } from '../lib/memory-meter';

/** What a jsquash module's memory starts at (Emscripten's default INITIAL_MEMORY), whatever the picture. */
export const JSQUASH_INITIAL_MEMORY = 16 * 1024 * 1024;

/** Runs jobs on an Emscripten module M, each on an instance of its own. */
export interface WasmCodec<M> {
  run<T>(work: (module: M) => T | Promise<T>): Promise<T>;
}

/** Emscripten's hook for instantiating the module itself. */
interface EmscriptenOverrides {
  noInitialRun: true;
  instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void): WebAssembly.Exports;
}

/** A MODULARIZE'd Emscripten glue's default export (jsquash's codec/enc/*.js); its typings get `receive`'s argument wrong. */
export type EmscriptenFactory<M> = (overrides: EmscriptenOverrides) => Promise<M>;

/**
 * jsquash's glue defines `globalThis.ImageData` where the runtime has none
 * (workerd) with a class made inside its module factory, and that class keeps
 * the factory's scope — the first instance and its grown memory — alive for
 * the isolate's life (46 MB after one 1200 px AVIF). Defined first here, the
 * glue leaves it alone and nothing is pinned.
 */
class ImageDataShape {
  constructor(readonly data: Uint8ClampedArray, readonly width: number, readonly height: number) {}
}

/**
 * Instantiates the imported module through the glue's factory directly (so
 * nothing but the job holds the instance) and by hand (so its memory is
 * metered); after the job the instance is let go for the next collection.
 */
export function emscriptenCodec<M>(wasm: WebAssembly.Module, factory: EmscriptenFactory<M>): WasmCodec<M> {
  (globalThis as { ImageData?: unknown }).ImageData ??= ImageDataShape;
  return {
    async run(work) {
      let memory: WebAssembly.Memory | undefined;
      const module = await factory({
        noInitialRun: true,
        instantiateWasm(imports, receive) {
          const instance = new WebAssembly.Instance(wasm, imports);
          memory = Object.values(instance.exports).find((e): e is WebAssembly.Memory => e instanceof WebAssembly.Memory);
          if (memory) trackWasmMemory(memory);
          receive(instance);
          return instance.exports;
        },
      });
      try {
        return await work(module);
      } finally {
        if (memory) noteDroppedMemory(memory);
      }
    },
  };
}
