/**
 * WASM memories never shrink, so a codec lets a grown instance go once idle,
 * and what it held stays charged to the isolate until V8 collects it. V8
 * collects lazily where the isolate has no memory limit, as under
 * `wrangler dev`: dropped heaps of 50–100 MB each piled up to 400 MB.
 * Scripts have no call for a collection, but before V8 reports that an
 * ArrayBuffer cannot be allocated it runs a full one. So after a transform
 * that dropped a memory, one allocation that can never succeed frees it.
 */

/**
 * Beyond any address space (2^53 − 1 bytes: malloc fails however the OS
 * overcommits), yet within V8's length limit without its sandbox. With the
 * sandbox (a 32 GiB limit) the length is refused up front and no collection
 * runs; nothing is allocated either way.
 */
const NEVER_ALLOCATABLE = Number.MAX_SAFE_INTEGER;

let dropped = 0;

/** Codecs call this when they let a memory go (bytes: its size), so that the next {@link collectDroppedMemory} frees it. */
export function noteDroppedMemory(bytes: number): void {
  dropped += bytes;
}

/** Frees the memories dropped since the last call; does nothing if none were. Costs ~15 ms when it runs. */
export async function collectDroppedMemory(): Promise<void> {
  if (dropped === 0) return;
  dropped = 0;
  // V8 keeps what this task's WeakRef.deref() returned (the meter's) alive until its microtasks are
  // done, and the finished codec's frames may still be on the stack: collect from a task of its own.
  await new Promise((resolve) => setTimeout(resolve, 0));
  try {
    new ArrayBuffer(NEVER_ALLOCATABLE);
  } catch {
    // RangeError: the collection ran (or, with V8's sandbox, the length was refused).
  }
}
