/**
 * The life of one standalone (glue-free) Emscripten module's instance, for
 * our own codec builds: instantiated lazily from the imported module with
 * the few imports every shim needs, shared by everyone using it at once (a
 * transcode runs a decoder and an encoder of one module together), and let
 * go for the GC after a trap or — once idle — after its memory grew past a
 * cap, since WASM memories never shrink.
 *
 * Error model: a shim reports a failure by calling its throw import, which
 * throws through the wasm frames like a longjmp; `call` then restores the
 * shadow stack, so the instance stays usable. An exception from a JS
 * callback called by wasm is carried through the same way. Anything else
 * thrown while wasm runs is a trap: the instance is never entered again.
 */
import { trackWasmMemory } from '../lib/memory-meter';

export interface BaseExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  stackSave(): number;
  stackRestore(sp: number): void;
}

export interface Instance<E extends BaseExports> {
  ex: E;
  /** Set after a trap: never call into this instance again. */
  poisoned: boolean;
  /** Decoders and encoders currently holding it. */
  users: number;
}

/** An exception from a JS callback, on its way out through wasm frames (so it is not taken for a trap). */
export class CallbackError {
  constructor(readonly error: unknown) {}
}

/** Runs a callback that wasm calls, so that what it throws crosses the wasm frames as a {@link CallbackError}. */
export function fromWasm<T>(callback: () => T): T {
  try {
    return callback();
  } catch (error) {
    throw error instanceof CallbackError ? error : new CallbackError(error);
  }
}

/** A C string from a shim's heap (messages are short; at most 512 characters are read). */
export function readCString(memory: WebAssembly.Memory, ptr: number): string {
  const heap = new Uint8Array(memory.buffer);
  let s = '';
  for (let i = ptr >>> 0; i < heap.length && heap[i] !== 0 && s.length < 512; i++) s += String.fromCharCode(heap[i]!);
  return s;
}

export interface StandaloneWasmSpec<E extends BaseExports> {
  /** For messages: `libwebp`. */
  name: string;
  /** The env import the shim reports failures through, if it has one: it receives a C string and a status code. */
  throwImport?: string;
  /** How a shim failure reaches callers. */
  toError(message: string, status: number): Error;
  /** Further env imports of an instance. */
  imports?(instance: Instance<E>, memory: () => WebAssembly.Memory): Record<string, (...args: never[]) => unknown>;
  /** The module links libc's stdio, which reaches WASI: answer it without output. */
  wasi?: boolean;
  /** Memory an idle instance may keep; beyond it, it is dropped. */
  maxRetainedMemory: number;
  /** Errors the wrapper itself throws between calls into wasm: passed on, not taken for a trap. */
  wrapperError?: new (...args: never[]) => Error;
}

/** Marks a shim failure thrown from the throw import until `call` turns it into the codec's error. */
class ShimThrow {
  constructor(readonly message: string, readonly status: number) {}
}

/** libc's stdio and abort() reach these; output is discarded. */
function wasiStubs(name: string, memory: () => WebAssembly.Memory) {
  return {
    fd_write(_fd: number, iovs: number, iovcnt: number, written: number): number {
      const view = new DataView(memory().buffer);
      let total = 0;
      for (let i = 0; i < iovcnt; i++) total += view.getUint32((iovs >>> 0) + i * 8 + 4, true);
      view.setUint32(written >>> 0, total, true);
      return 0;
    },
    fd_seek: (): number => 70, // ESPIPE
    fd_close: (): number => 0,
    proc_exit(code: number): never {
      throw new WebAssembly.RuntimeError(`${name}: wasm called proc_exit(${code})`);
    },
  };
}

export function standaloneWasm<E extends BaseExports>(spec: StandaloneWasmSpec<E>) {
  let savedModule: WebAssembly.Module | null = null;
  let current: Instance<E> | null = null;
  let maxRetainedMemory = spec.maxRetainedMemory;
  let releasedBytes = 0;

  function instantiate(): Instance<E> {
    if (!savedModule) throw new Error(`${spec.name}: its module was never initialised`);
    const instance: Instance<E> = { ex: null as unknown as E, poisoned: false, users: 0 };
    const memory = () => instance.ex.memory;
    const imports: WebAssembly.Imports = {
      env: {
        ...(spec.throwImport !== undefined && {
          [spec.throwImport]: (message: number, status: number): never => {
            throw new ShimThrow(readCString(memory(), message), status);
          },
        }),
        // Views are re-created from memory.buffer on every use: nothing to do.
        emscripten_notify_memory_growth() {},
        ...spec.imports?.(instance, memory),
      },
      ...(spec.wasi && { wasi_snapshot_preview1: wasiStubs(spec.name, memory) }),
    };
    instance.ex = new WebAssembly.Instance(savedModule, imports).exports as unknown as E;
    instance.ex._initialize();
    trackWasmMemory(instance.ex.memory);
    return instance;
  }

  const poison = (instance: Instance<E>) => {
    instance.poisoned = true;
    if (current === instance) current = null;
  };

  return {
    /** Records the imported module; instantiation waits for the first use. */
    init(module: WebAssembly.Module): void {
      if (savedModule === module) return;
      savedModule = module;
      current = null;
    },
    setMaxRetainedMemory(bytes: number): void {
      maxRetainedMemory = Math.max(0, bytes);
    },
    /** @internal Test hook: an instance's memory when its last user released it (0 before that). */
    memoryBytes: (): number => releasedBytes,
    acquire(): Instance<E> {
      const instance = current && !current.poisoned ? current : (current = instantiate());
      instance.users++;
      return instance;
    },
    /** Memories never shrink: once nobody uses a grown instance, let it be collected. */
    release(instance: Instance<E>): void {
      instance.users--;
      if (instance.users > 0) return;
      releasedBytes = instance.ex.memory.buffer.byteLength;
      if (current === instance && releasedBytes > maxRetainedMemory) current = null;
    },
    poison,
    /** One call into wasm, with the error model above. */
    call<R>(instance: Instance<E>, work: () => R): R {
      if (instance.poisoned) throw spec.toError(`${spec.name}: the instance was lost after a WebAssembly trap`, -1);
      const sp = instance.ex.stackSave();
      try {
        return work();
      } catch (error) {
        if (error instanceof ShimThrow) {
          instance.ex.stackRestore(sp);
          throw spec.toError(error.message, error.status);
        }
        if (error instanceof CallbackError) {
          if (!instance.poisoned) instance.ex.stackRestore(sp);
          throw error.error;
        }
        if (spec.wrapperError && error instanceof spec.wrapperError) throw error;
        poison(instance);
        throw error;
      }
    },
  };
}
