/**
 * Admission control for transforms within one isolate. The cost model keeps
 * one transform inside the memory budget; two at once would not be, so
 * transforms run one at a time. Identical concurrent misses (a new image on
 * a busy page) share one transform, and a queue past its bound is refused
 * with a 503 rather than held until the isolate runs out of memory.
 */
import { ProblemError } from '../errors';

const inFlight = new Map<string, Promise<unknown>>();
let queued = 0;
let tail: Promise<unknown> = Promise.resolve();

const busy = () =>
  new ProblemError(503, 'busy', 'Busy', 'Too many images are being transformed at once; retry shortly.', {
    'Retry-After': '1',
  });

function oneAtATime<T>(maxQueued: number, work: () => Promise<T>): Promise<T> {
  if (queued >= maxQueued) return Promise.reject(busy());
  queued++;
  const run = tail.then(work, work).finally(() => queued--);
  tail = run.catch(() => undefined);
  return run;
}

/**
 * Runs `work` for `key`, or joins the run already under way for it; `joined`
 * tells which. `maxQueued` counts transforms running or waiting.
 */
export async function admit<T>(key: string, maxQueued: number, work: () => Promise<T>): Promise<{ result: T; joined: boolean }> {
  const running = inFlight.get(key) as Promise<T> | undefined;
  if (running) return { result: await running, joined: true };
  const run = oneAtATime(maxQueued, work).finally(() => inFlight.delete(key));
  inFlight.set(key, run);
  return { result: await run, joined: false };
}
