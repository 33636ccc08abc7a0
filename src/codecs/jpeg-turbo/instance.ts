/**
 * libjpeg-turbo's side of the one edgepix-codecs.wasm instance
 * (../shared-wasm.ts), which the decoder (index.ts) and the encoder
 * (encode.ts) share with every other codec: the error model bound to
 * `JpegError`.
 *
 * Every decoder or encoder context holds a lease on the instance it was
 * created in (`acquire` / `release`). A JPEG→JPEG transcode has both alive
 * at once: the encoder is fed from inside the decode loop's row callback,
 * which runs between the decoder's wasm calls, so the two never overlap on
 * the wasm stack. Views of wasm memory are always re-created from
 * `memory.buffer` after a call, since any call may grow (and so detach) it.
 *
 * Errors follow ../standalone-wasm.ts: libjpeg's error hook calls the
 * imported `env.jt_throw` (no setjmp/longjmp); `guarded` then restores the
 * shadow stack and the caller frees its context. Anything else thrown while
 * wasm is on the stack (a trap) poisons the instance: it is never called
 * again, and the next context gets a fresh one.
 */
import { sharedWasm } from '../shared-wasm';
import { fromWasm, readCString as readShimString, type BaseExports, type Instance } from '../standalone-wasm';

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

export interface Exports extends BaseExports {
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

export type Inst = Instance<Exports>;

const jpegTurbo = sharedWasm.codec<Exports>({
  name: 'jpeg-turbo',
  throwImport: 'jt_throw',
  toError: (message, code) => new JpegError(message, code),
  wrapperError: JpegError,
});

/** The current instance (a fresh one if there is none or it was poisoned), leased until `release`. */
export const acquire = () => jpegTurbo.acquire();

/** Ends a lease. The last one out lets the instance go if it grew past the retained-memory cap (../shared-wasm.ts). */
export const release = (inst: Inst) => jpegTurbo.release(inst);

/** Runs `fn`, which calls into `inst`, with the error model above. */
export const guarded = <T>(inst: Inst, fn: () => T): T => jpegTurbo.call(inst, fn);

/** Calls user code from inside `guarded`: whatever it throws is passed through untouched. */
export const callback = (f: () => void): void => fromWasm(f);

/** Frees with `fn` (jt_destroy, je_destroy, ...) unless the instance is poisoned; a trap while freeing poisons it. */
export function cleanup(inst: Inst, fn: () => void): void {
  if (inst.poisoned) return;
  try {
    fn();
  } catch {
    jpegTurbo.poison(inst);
  }
}

export const readCString = (inst: Inst, ptr: number) => readShimString(inst.ex.memory, ptr);
