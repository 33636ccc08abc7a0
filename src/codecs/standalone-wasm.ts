/**
 * The life of one standalone (glue-free) Emscripten module's instance, for
 * our own codec builds: instantiated lazily from the imported module with
 * the few imports every shim needs, shared by everyone using it at once (a
 * transcode runs a decoder and an encoder together), and let go for the GC
 * after a trap or — once idle — after its memory grew past a cap, since
 * WASM memories never shrink.
 *
 * One module may serve several codecs (edgepix-codecs.wasm links them all on
 * one heap, ./shared-wasm.ts): each registers its error class and its env
 * imports with `codec(...)` and gets `acquire` / `release` / `call` bound to
 * them. Env imports are looked up by name when wasm calls them, so a codec
 * may register after the instance exists.
 *
 * Error model: a shim reports a failure by calling its throw import, which
 * throws through the wasm frames like a longjmp; `call` then restores the
 * shadow stack, so the instance stays usable. An exception from a JS
 * callback called by wasm is carried through the same way. Anything else
 * thrown while wasm runs is a trap: the instance is never entered again,
 * and callers get a {@link CodecTrap}.
 */
import { noteDroppedMemory } from '../lib/collect-garbage';
import { trackWasmMemory } from '../lib/memory-meter';
import { CodecOutOfMemory, CodecTrap } from './failures';

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
class CallbackError {
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

/** One codec served by a module: how its failures reach callers, and the env imports it implements. */
export interface CodecSpec<E extends BaseExports> {
  /** For messages: `libwebp`. */
  name: string;
  /** The env import the shim reports failures through, if it has one: it receives a C string and a status code. */
  throwImport?: string;
  /** How a shim failure reaches callers. */
  toError(message: string, status: number): Error;
  /** Further env imports of an instance. */
  imports?(instance: Instance<E>, memory: () => WebAssembly.Memory): Record<string, (...args: never[]) => unknown>;
  /** Errors the wrapper itself throws between calls into wasm: passed on, not taken for a trap. */
  wrapperError?: new (...args: never[]) => Error;
}

export interface StandaloneWasmSpec {
  /** For messages: `edgepix-codecs`. */
  name: string;
  /** Memory an idle instance may keep; beyond it, it is dropped. */
  maxRetainedMemory: number;
}

/** Marks a shim failure thrown from a throw import until `call` turns it into the error of the codec that threw. */
class ShimThrow {
  constructor(readonly message: string, readonly status: number, readonly toError: (message: string, status: number) => Error) {}
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

type Import = (...args: never[]) => unknown;
type AnyInstance = Instance<BaseExports> & { env: Map<string, Import> };

export function standaloneWasm(spec: StandaloneWasmSpec) {
  let savedModule: WebAssembly.Module | null = null;
  let current: AnyInstance | null = null;
  let maxRetainedMemory = spec.maxRetainedMemory;
  let releasedBytes = 0;
  /** Per registered codec: adds its env imports to an instance's table. */
  const registrations: ((instance: AnyInstance) => void)[] = [];

  function instantiate(): AnyInstance {
    const module = savedModule;
    if (!module) throw new Error(`${spec.name}: its module was never initialised`);
    const instance: AnyInstance = { ex: null as unknown as BaseExports, poisoned: false, users: 0, env: new Map() };
    const memory = () => instance.ex.memory;
    const env: Record<string, Import> = {};
    let wasi = false;
    for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
      if (from === 'wasi_snapshot_preview1') wasi = true;
      if (from !== 'env' || kind !== 'function') continue;
      env[name] = (...args: never[]) => {
        const f = instance.env.get(name);
        if (!f) throw new WebAssembly.RuntimeError(`${spec.name}: wasm called env.${name}, which no codec registered`);
        return f(...args);
      };
    }
    // Views are re-created from memory.buffer on every use: nothing to do.
    instance.env.set('emscripten_notify_memory_growth', () => undefined);
    for (const register of registrations) register(instance);
    const imports: WebAssembly.Imports = { env, ...(wasi && { wasi_snapshot_preview1: wasiStubs(spec.name, memory) }) };
    instance.ex = new WebAssembly.Instance(module, imports).exports as unknown as BaseExports;
    instance.ex._initialize();
    trackWasmMemory(instance.ex.memory);
    return instance;
  }

  /** Lets the instance go: the next use instantiates a new one, and the next collection frees this one's memory. */
  const drop = (instance: AnyInstance) => {
    current = null;
    noteDroppedMemory(instance.ex.memory);
  };

  const poison = (instance: Instance<BaseExports>) => {
    instance.poisoned = true;
    if (current === instance) drop(current);
  };

  const acquire = (): AnyInstance => {
    const instance = current && !current.poisoned ? current : (current = instantiate());
    instance.users++;
    return instance;
  };

  /** Memories never shrink: once nobody uses a grown instance, let it be collected. */
  const dropIfIdleAndGrown = (instance: Instance<BaseExports>): void => {
    if (current === instance && instance.users === 0 && instance.ex.memory.buffer.byteLength > maxRetainedMemory) drop(current);
  };

  const release = (instance: Instance<BaseExports>): void => {
    instance.users--;
    if (instance.users > 0) return;
    releasedBytes = instance.ex.memory.buffer.byteLength;
    dropIfIdleAndGrown(instance);
  };

  /** A codec this module serves: the lifecycle bound to its errors and imports. */
  function codec<E extends BaseExports>(codecSpec: CodecSpec<E>) {
    const register = (instance: AnyInstance) => {
      const memory = () => instance.ex.memory;
      const throwImport = codecSpec.throwImport;
      if (throwImport !== undefined) {
        instance.env.set(throwImport, ((message: number, status: number): never => {
          throw new ShimThrow(readCString(memory(), message), status, codecSpec.toError);
        }) as Import);
      }
      for (const [name, f] of Object.entries(codecSpec.imports?.(instance as unknown as Instance<E>, memory) ?? {})) instance.env.set(name, f);
    };
    registrations.push(register);
    if (current) register(current);

    return {
      /** The current instance (a fresh one if there is none or it was poisoned), leased until `release`. */
      acquire: (): Instance<E> => acquire() as unknown as Instance<E>,
      /** Ends a lease. The last one out lets the instance go if it grew past the retained-memory cap. */
      release: (instance: Instance<E>): void => release(instance),
      poison: (instance: Instance<E>): void => poison(instance),
      /** One call into wasm, with the error model above. */
      call<R>(instance: Instance<E>, work: () => R): R {
        if (instance.poisoned) throw codecSpec.toError(`${codecSpec.name}: the instance was lost after a WebAssembly trap`, -1);
        const sp = instance.ex.stackSave();
        try {
          return work();
        } catch (error) {
          if (error instanceof ShimThrow) {
            instance.ex.stackRestore(sp);
            throw error.toError(error.message, error.status);
          }
          if (error instanceof CallbackError) {
            if (!instance.poisoned) instance.ex.stackRestore(sp);
            throw error.error;
          }
          if (error instanceof CodecOutOfMemory || (codecSpec.wrapperError && error instanceof codecSpec.wrapperError)) throw error;
          poison(instance);
          throw new CodecTrap(codecSpec.name, error);
        }
      },
    };
  }

  return {
    /** Records the imported module; instantiation waits for the first use. */
    init(module: WebAssembly.Module): void {
      if (savedModule === module) return;
      savedModule = module;
      current = null;
    },
    /** The cap holds from now on: an idle instance already past it is let go, as if just released. */
    setMaxRetainedMemory(bytes: number): void {
      maxRetainedMemory = Math.max(0, bytes);
      if (current) dropIfIdleAndGrown(current);
    },
    /** Lets the instance go now if nobody uses it, whatever its size: the next use instantiates afresh. */
    letGoIfIdle(): void {
      if (current && current.users === 0) drop(current);
    },
    /** @internal Test hook: an instance's memory when its last user released it (0 before that). */
    memoryBytes: (): number => releasedBytes,
    /** What the live instance's memory holds now, used or free (0 when there is none). */
    heldBytes: (): number => current?.ex.memory.buffer.byteLength ?? 0,
    /** Whether `buffer` is the live instance's memory as it is now. */
    holds: (buffer: ArrayBufferLike): boolean => current?.ex.memory.buffer === buffer,
    /** `length` bytes at `offset` of the live instance's memory, as it is now. */
    view(offset: number, length: number): Uint8Array {
      if (!current) throw new RangeError(`${spec.name}: no instance to view`);
      return new Uint8Array(current.ex.memory.buffer, offset, length);
    },
    codec,
  };
}
