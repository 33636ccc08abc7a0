/**
 * WASM memories never shrink, so a codec lets a grown instance go once idle,
 * and what it held stays charged to the isolate until V8 collects it; so do
 * a transform's large buffers (the original's bytes, whole pictures). V8
 * collects lazily where the isolate has no memory limit, as under
 * `wrangler dev`: dropped heaps of 50–100 MB each piled up to 400 MB.
 * Scripts have no call for a collection, but before V8 reports that an
 * ArrayBuffer cannot be allocated it runs a full one. So after a transform
 * that left enough garbage, one allocation that can never succeed frees it.
 */

/**
 * Beyond any address space (2^53 − 1 bytes: malloc fails however the OS
 * overcommits), yet within V8's length limit without its sandbox. With the
 * sandbox (a 32 GiB limit) the length is refused up front and no collection
 * runs; nothing is allocated either way.
 */
const NEVER_ALLOCATABLE = Number.MAX_SAFE_INTEGER;

/** Less garbage than this is left to V8: a collection costs ~15 ms, more than a thumbnail's garbage is worth. */
const WORTH_COLLECTING = 8 * 1024 * 1024;

/** Bytes let go or allocated for a transform since the last collection. */
let pending = 0;

/**
 * Codecs call this when they let a memory go, the pipeline for each large
 * buffer it allocates (garbage once the transform is done), so that the
 * next {@link collectGarbage} frees them.
 */
export function noteGarbage(bytes: number): void {
  pending += bytes;
}

/** Frees what was noted since the last call, if it is worth a collection. */
export async function collectGarbage(): Promise<void> {
  if (pending < WORTH_COLLECTING) return;
  pending = 0;
  // V8 keeps what this task's WeakRef.deref() returned (the meter's) alive until its microtasks are
  // done, and the finished codec's frames may still be on the stack: collect from a task of its own.
  await new Promise((resolve) => setTimeout(resolve, 0));
  try {
    new ArrayBuffer(NEVER_ALLOCATABLE);
  } catch {
    // RangeError: the collection ran (or, with V8's sandbox, the length was refused).
  }
}
