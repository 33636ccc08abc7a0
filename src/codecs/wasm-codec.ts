/**
 * Initialises a WASM codec lazily, once per isolate, and starts it afresh
 * when that pays: after a trap (an aborted Emscripten instance is unusable)
 * and after a job that grew its memory past a threshold (WASM memories only
 * grow, so one big image would otherwise pin that memory for the isolate's
 * life).
 */
import { noteDroppedMemory } from '../lib/collect-garbage';
import { trackWasmMemory } from '../lib/memory-meter';

/** A lazily instantiated Emscripten module M, one job at a time. */
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
 * Memory an instance may keep between jobs; beyond it, the instance is
 * replaced. Encoding a 400 px thumbnail stays below it; the 200-request mix
 * held 258 MB after a full GC with 16 MiB against 282 MB with 32, in the same time.
 */
const MAX_RETAINED_MEMORY = 16 * 1024 * 1024;

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
 * Runs jobs on one of jsquash's Emscripten modules, instantiated lazily from
 * the imported module by us (so its memory is seen) and through its factory
 * directly (so nothing else holds the instance). After a trap (an aborted
 * instance is unusable), or a job that left it holding more than
 * {@link MAX_RETAINED_MEMORY}, the instance is let go for the next collection
 * and the next job gets a new one.
 */
export function emscriptenCodec<M>(wasm: WebAssembly.Module, factory: EmscriptenFactory<M>): WasmCodec<M> {
  (globalThis as { ImageData?: unknown }).ImageData ??= ImageDataShape;
  let ready: Promise<M> | undefined;
  let memory: WebAssembly.Memory | undefined;
  const instantiate = () =>
    factory({
      noInitialRun: true,
      instantiateWasm(imports, receive) {
        const instance = new WebAssembly.Instance(wasm, imports);
        memory = Object.values(instance.exports).find((e): e is WebAssembly.Memory => e instanceof WebAssembly.Memory);
        if (memory) trackWasmMemory(memory);
        receive(instance);
        return instance.exports;
      },
    });
  const memoryBytes = () => memory?.buffer.byteLength ?? 0;
  const drop = () => {
    noteDroppedMemory(memoryBytes());
    ready = undefined;
    memory = undefined;
  };
  return {
    async run(work) {
      const starting = (ready ??= instantiate());
      let module: M;
      try {
        module = await starting;
      } catch (error) {
        if (ready === starting) ready = undefined;
        throw error;
      }
      try {
        return await work(module);
      } catch (error) {
        if (error instanceof WebAssembly.RuntimeError) drop();
        throw error;
      } finally {
        if (ready === starting && memoryBytes() > MAX_RETAINED_MEMORY) drop();
      }
    },
  };
}
