/**
 * edgepix-codecs.wasm: libjpeg-turbo, libwebp, dav1d and our resampler
 * linked into ONE standalone module (wasm/codecs/build.sh), so every codec
 * shares one instance, one memory and one dlmalloc heap: a transcode's
 * decoder, resampler and encoder grow one memory instead of three, and a
 * small heap is reused by the next job of any codec.
 *
 * The wrappers (jpeg-turbo/, libwebp/, libavif/, ../pipeline/resample/) each
 * get the lifecycle bound to their own error class with `sharedWasm.codec`.
 * This file does not import the .wasm itself (Node's smoke scripts load the
 * wrappers and pass the Module); ./codecs-wasm.ts does, for the worker.
 */
import { standaloneWasm } from './standalone-wasm';

/**
 * The instance is dropped once idle if its memory grew past this, and the
 * admission queue has it collected before the next transform starts
 * (../lib/collect-garbage.ts): a transform's heap is charged only while it
 * runs. Kept, a heap holds its high-water mark (~100 MB after a full-size
 * 24 MP WebP) between requests, against ≤ 32 MB for the whole isolate; a
 * thumbnail's heap stays below it and is reused. 8 MiB, not 16: a kept heap
 * stays resident, and an AVIF's aom heap grows beside it; a 12 MP photo's
 * thumbnail leaves 10.5 MiB, let go at 8 (the bench's matrix: workerd's VmHWM
 * and the most charged between requests both lower, no slower).
 * @public for wasm/jpeg-turbo/smoke.mjs (through the codec's index.ts)
 */
export const CODECS_MAX_RETAINED_MEMORY = 8 * 1024 * 1024;

export const sharedWasm = standaloneWasm({ name: 'edgepix-codecs', maxRetainedMemory: CODECS_MAX_RETAINED_MEMORY });

/** Call with the imported module (`import wasm from './edgepix-codecs.wasm'` gives a WebAssembly.Module in workerd); instantiation is lazy. */
export const initCodecsWasm = (module: WebAssembly.Module): void => sharedWasm.init(module);

/**
 * Changes the drop threshold (bytes) of the one instance: when its last user
 * releases it (or now, if it is idle) and its memory grew past this, the next
 * use instantiates a fresh one. 0 = a fresh instance per job (the smoke
 * scripts and tests measure peaks so).
 * @public for the jpeg-turbo and avif smoke scripts (through their index.ts)
 */
export const setCodecsMaxRetainedMemory = (bytes: number): void => sharedWasm.setMaxRetainedMemory(bytes);

/** @internal Test hook: the instance's memory when its last user released it (0 before that). */
export const codecsMemoryBytes = (): number => sharedWasm.memoryBytes();

/**
 * Lets the shared heap go if no codec uses it, even one small enough to be
 * kept: a codec in a module of its own (aom) is about to grow a heap beside
 * it, and a collection can free this one first.
 */
export const letGoIdleCodecHeap = (): void => sharedWasm.letGoIfIdle();

/**
 * Bytes the shared heap holds now, used or free. A transform reuses them,
 * but a codec in a module of its own (aom, for AVIF output) needs memory on
 * top of them, so the planner adds the two.
 */
export const heldCodecMemory = (): number => sharedWasm.heldBytes();
