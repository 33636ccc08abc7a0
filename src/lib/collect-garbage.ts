/**
 * WASM memories never shrink, so a codec lets a grown instance go once idle,
 * and what it held stays charged to the isolate until V8 collects it; so do
 * a transform's large buffers (the original's bytes, whole pictures). V8
 * collects lazily where the isolate has no memory limit, as under
 * `wrangler dev`: dropped heaps of 50–100 MB each piled up to 400 MB.
 *
 * Scripts have no call for a collection; two things make V8 run one:
 * - Allocating. ArrayBuffers and WASM memories count as external memory, and
 *   once enough was allocated since the last full collection (48–80 MiB of
 *   it here) V8 runs another. A WASM memory that is never touched costs address
 *   space, not resident memory.
 * - An allocation that can never succeed: before V8 reports it, it runs its
 *   last-resort collection. That one also throws compiled code away, and the
 *   WASM code compiled again on the next use lands in new code space while
 *   the old stays resident: +2–3 MB of code per collection once aom had run,
 *   +50 MB over the bench's matrix, and aom and dav1d ran their slower
 *   first-tier code again on every request.
 * So the collection presses with untouched memory, step by step, until what
 * the codecs dropped is collected, and uses the last resort only if that
 * did not do it.
 */
import { nextTask } from './next-task';

/** Less garbage than this is left to V8: a collection costs a few ms to ~130 ms, more than a thumbnail's garbage is worth. */
const WORTH_COLLECTING = 8 * 1024 * 1024;
/** One step of pressure: 16 MiB of WASM memory, dropped at once and never touched. */
const PRESSURE_PAGES = 256;
/** Here a collection starts within 3–5 steps; past this many the last resort runs. */
const MAX_PRESSURE_STEPS = 8;
/**
 * Beyond any address space (2^53 − 1 bytes: malloc fails however the OS
 * overcommits), yet within V8's length limit without its sandbox. With the
 * sandbox (a 32 GiB limit) the length is refused up front and no collection
 * runs; nothing is allocated either way.
 */
const NEVER_ALLOCATABLE = Number.MAX_SAFE_INTEGER;

/** Bytes let go or allocated for a transform since the last collection. */
let pending = 0;
/**
 * What the next collection waits for: dropped memories (and its first step's own) not collected
 * yet. Each collection starts a new round, so one memory that stays reachable sends only its own
 * round to the last resort, not every later one.
 */
interface Round {
  uncollected: number;
}
let round: Round = { uncollected: 0 };
const collected = new FinalizationRegistry<Round>((of) => {
  of.uncollected--;
});

function watch(target: object, into: Round): void {
  into.uncollected++;
  collected.register(target, into);
}

/** The pipeline calls this for each large buffer it allocates (garbage once the transform is done), so that the next {@link collectGarbage} frees it. */
export function noteGarbage(bytes: number): void {
  pending += bytes;
}

/** Codecs call this when they let an instance's memory go: the next {@link collectGarbage} presses until it is collected. */
export function noteDroppedMemory(memory: WebAssembly.Memory): void {
  pending += memory.buffer.byteLength;
  watch(memory, round);
}

/** How a call went: too little to collect, collected under pressure, or by the last resort. */
export type Collection = 'skipped' | 'pressure' | 'last-resort';

/**
 * Frees what was noted since the last call, if it is worth a collection: at
 * least `worth` bytes (by default what a thumbnail leaves, less than the
 * collection costs).
 */
export async function collectGarbage(worth = WORTH_COLLECTING): Promise<Collection> {
  if (pending === 0 || pending < worth) return 'skipped';
  pending = 0;
  const awaited = round;
  round = { uncollected: 0 };
  // V8 keeps what this task's WeakRef.deref() returned (the meter's) alive until its microtasks are
  // done, and the finished codec's frames may still be on the stack: each step waits for a task of its own.
  await nextTask();
  for (let step = 0; step < MAX_PRESSURE_STEPS; step++) {
    const pressure = new WebAssembly.Memory({ initial: PRESSURE_PAGES });
    // Something to see collected when only buffers were noted.
    if (step === 0) watch(pressure, awaited);
    await nextTask();
    if (awaited.uncollected <= 0) return 'pressure';
  }
  try {
    new ArrayBuffer(NEVER_ALLOCATABLE);
  } catch {
    // RangeError: the collection ran (or, with V8's sandbox, the length was refused).
  }
  return 'last-resort';
}
