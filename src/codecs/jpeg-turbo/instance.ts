/**
 * The one jpeg_turbo.wasm instance the decoder (index.ts) and the encoder
 * (encode.ts) share: instantiation from the saved Module, the error model
 * and the policy that lets a grown instance go.
 *
 * Every decoder or encoder context holds a lease on the instance it was
 * created in (`acquire` / `release`). A JPEG→JPEG transcode has both alive
 * at once: the encoder is fed from inside the decode loop's row callback,
 * which runs between the decoder's wasm calls, so the two never overlap on
 * the wasm stack. Views of wasm memory are always re-created from
 * `memory.buffer` after a call, since any call may grow (and so detach) it.
 *
 * Errors: libjpeg's error hook calls the imported `env.jt_throw`, which
 * throws a `WasmThrow` through the wasm frames (no setjmp/longjmp); `guarded`
 * then restores the shadow stack and the caller frees its context. Anything
 * else thrown while wasm is on the stack (a trap) poisons the instance: it is
 * never called again, and the next context gets a fresh one.
 */
import { trackWasmMemory } from '../../lib/memory-meter';

/** Call once per isolate with the imported module: `import wasm from './jpeg_turbo.wasm'` gives a WebAssembly.Module in workerd. */
export function initJpegTurbo(module: WebAssembly.Module): void {
  if (savedModule === module) return;
  savedModule = module;
  current = null;
}

/** Thrown for every libjpeg-reported problem (not a JPEG, corrupt, truncated, too large, out of memory). */
export class JpegError extends Error {
  /** libjpeg message code (J_MESSAGE_CODE), or -1 for errors raised by the wrapper. */
  readonly code: number;
  constructor(message: string, code = -1) {
    super(message);
    this.name = 'JpegError';
    this.code = code;
  }
}

/** Default for setJpegTurboMaxRetainedMemory: 48 MiB. */
export const JPEG_TURBO_MAX_RETAINED_MEMORY = 48 * 1024 * 1024;

/**
 * When the last context (decoder or encoder) of an instance is released, the
 * instance is dropped if its wasm memory grew beyond `bytes` (wasm memories
 * never shrink), and the next call instantiates a fresh one from the saved
 * Module. Lower = less memory pinned between requests; higher = big images
 * skip re-growing (and re-faulting) fresh memory.
 */
export function setJpegTurboMaxRetainedMemory(bytes: number): void {
  maxRetainedMemory = Math.max(0, bytes);
}

/** @internal Test hook: wasm memory byteLength of the instance when its last lease was released. */
export function jpegTurboMemoryBytes(): number {
  return lastMemoryBytes;
}

export interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  stackSave(): number;
  stackRestore(sp: number): void;
  // decoder.c
  jt_new(len: number): number;
  jt_input(ctx: number): number;
  jt_info(ctx: number): number;
  jt_warning(ctx: number): number;
  jt_destroy(ctx: number): void;
  jt_read_header(ctx: number, strict: number): number;
  jt_pick_scale(ctx: number, minW: number, minH: number): number;
  jt_start(ctx: number, denom: number, strict: number, maxMem: number, flags: number, bands: number): number;
  jt_read_rows(ctx: number, dst: number, maxRows: number): number;
  jt_finish(ctx: number): number;
  jt_malloc(n: number): number;
  jt_free(p: number): void;
  // encoder.c
  je_new(width: number, height: number, quality: number, progressive: number): number;
  je_info(ctx: number): number;
  je_start(ctx: number): number;
  je_write_rows(ctx: number, rgba: number, count: number): number;
  je_drain(ctx: number): void;
  je_finish(ctx: number): number;
  je_destroy(ctx: number): void;
}

export interface Inst {
  ex: Exports;
  /** Set after a trap: never call into this instance again. */
  poisoned: boolean;
  /** Live contexts (leases) in this instance. */
  live: number;
}

/** Marks a libjpeg error thrown from inside wasm via env.jt_throw. */
class WasmThrow extends JpegError {}

/** Wraps an exception thrown by a user callback (so it is not taken for a trap). */
class CallbackThrow {
  constructor(readonly error: unknown) {}
}

let savedModule: WebAssembly.Module | null = null;
let current: Inst | null = null;
let maxRetainedMemory = JPEG_TURBO_MAX_RETAINED_MEMORY;
let lastMemoryBytes = 0;

/** The current instance (a fresh one if there is none or it was poisoned), leased until `release`. */
export function acquire(): Inst {
  const inst = current && !current.poisoned ? current : (current = instantiate());
  inst.live++;
  return inst;
}

/** Ends a lease. The last one out lets the instance go if it grew past the retained-memory cap. */
export function release(inst: Inst): void {
  inst.live--;
  lastMemoryBytes = inst.ex.memory.buffer.byteLength;
  if (inst.live === 0 && current === inst && lastMemoryBytes > maxRetainedMemory) current = null;
}

/** Never call into `inst` again; contexts still holding it fail on their next call. */
export function poison(inst: Inst): void {
  inst.poisoned = true;
  if (current === inst) current = null;
}

/**
 * Runs `fn`, which calls into `inst`, and sorts out what it throws:
 *  - libjpeg error (WasmThrow): unwound through wasm like a longjmp, so the
 *    shadow stack is put back; rethrown (the caller frees its context);
 *  - a user callback's error (see `callback`): rethrown as is;
 *  - a JpegError raised by the wrapper outside wasm: rethrown;
 *  - anything else (a trap, stack overflow while in wasm): poisons `inst`.
 */
export function guarded<T>(inst: Inst, fn: () => T): T {
  if (inst.poisoned) throw new JpegError('jpeg-turbo: the wasm instance was discarded after a failure');
  const sp = inst.ex.stackSave();
  try {
    return fn();
  } catch (e) {
    if (e instanceof WasmThrow) {
      inst.ex.stackRestore(sp);
      throw e;
    }
    if (e instanceof CallbackThrow) throw e.error;
    if (e instanceof JpegError) throw e;
    poison(inst);
    throw e;
  }
}

/** Calls user code from inside `guarded`: whatever it throws is passed through untouched. */
export function callback(f: () => void): void {
  try {
    f();
  } catch (e) {
    throw new CallbackThrow(e);
  }
}

/** Frees with `fn` (jt_destroy, je_destroy, ...) unless the instance is poisoned; a trap while freeing poisons it. */
export function cleanup(inst: Inst, fn: () => void): void {
  if (inst.poisoned) return;
  try {
    fn();
  } catch {
    poison(inst);
  }
}

export function readCString(heap: Uint8Array, ptr: number): string {
  let s = '';
  for (let i = ptr; i < heap.length && heap[i] !== 0 && s.length < 512; i++) s += String.fromCharCode(heap[i]!);
  return s;
}

function instantiate(): Inst {
  if (!savedModule) throw new Error('jpeg-turbo: initJpegTurbo(module) has not been called');
  let mem: WebAssembly.Memory | null = null;
  const u8 = (): Uint8Array => new Uint8Array(mem!.buffer);
  const dv = (): DataView => new DataView(mem!.buffer);
  const imports = {
    env: {
      jt_throw(msgPtr: number, code: number): never {
        throw new WasmThrow(readCString(u8(), msgPtr >>> 0), code);
      },
      // Views are re-created from memory.buffer on every use: nothing to do.
      emscripten_notify_memory_growth(_index: number): void {},
    },
    // Only reachable from libc's stdio (libjpeg's default message printer,
    // which the shims replace) and abort(). Output is discarded.
    wasi_snapshot_preview1: {
      fd_write(_fd: number, iovs: number, iovcnt: number, pnum: number): number {
        const v = dv();
        let total = 0;
        for (let i = 0; i < iovcnt; i++) total += v.getUint32(((iovs >>> 0) + i * 8 + 4), true);
        v.setUint32(pnum >>> 0, total, true);
        return 0;
      },
      // (fd: i32, offset: i64 -> BigInt, whence: i32, newoffset_ptr: i32)
      fd_seek(_fd: number, _offset: bigint, _whence: number, _newOffsetPtr: number): number {
        return 70; // ESPIPE
      },
      fd_close(_fd: number): number {
        return 0;
      },
      proc_exit(code: number): never {
        throw new WebAssembly.RuntimeError(`jpeg-turbo: wasm called proc_exit(${code})`);
      },
    },
  };
  const instance = new WebAssembly.Instance(savedModule, imports);
  const ex = instance.exports as unknown as Exports;
  mem = ex.memory;
  trackWasmMemory(mem);
  ex._initialize();
  return { ex, poisoned: false, live: 0 };
}
