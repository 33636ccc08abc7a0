/**
 * Admission control for transforms within one isolate. The cost model keeps
 * one transform inside the memory budget; two at once would not be, so
 * transforms run one at a time and the others wait their turn — holding no
 * pixels while they wait, since the original is read only once admitted.
 * Identical concurrent misses (a new image on a busy page) share one
 * transform. A browser shows a 503 for an <img> as a broken image and does
 * not retry, so waiting is the better answer: a request is refused with 503
 * up front only when even at the fastest recent pace — the transforms ahead
 * of it times the quickest of the last few — its wait would pass the queue
 * deadline, and otherwise when its turn comes after the deadline passed.
 *
 * Time comes from Date.now(). Deployed, Workers advance that clock only at
 * I/O, so a CPU-bound transform measures as the time up to its last I/O:
 * durations then read low and the queue admits a little more than the
 * deadline strictly allows. The floor below keeps the estimate honest.
 */
import type { Config } from '../config';
import { ProblemError, transformTimeout } from '../errors';
import { collectGarbage } from '../lib/collect-garbage';

/** What a transform is assumed to take at least (a phone photo's thumbnail). */
const FLOOR_MS = 150;
/** How many recent durations the pace is taken from. */
const RECENT = 16;

const inFlight = new Map<string, Promise<unknown>>();
let tail: Promise<unknown> = Promise.resolve();
/** Transforms admitted and not yet finished, the running one included. */
let admitted = 0;
const recentMs: number[] = [];

const busy = (waitMs: number) =>
  new ProblemError(
    503,
    'busy',
    'Busy',
    `About ${Math.ceil(waitMs / 1000)} s of transforms are queued ahead of this one, past the queue deadline (TRANSFORM_QUEUE_DEADLINE); retry shortly.`,
    { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) },
  );

function record(ms: number): void {
  recentMs.push(ms);
  if (recentMs.length > RECENT) recentMs.shift();
}

const fastestRecentMs = () => Math.max(FLOOR_MS, Math.min(...recentMs, Infinity) === Infinity ? FLOOR_MS : Math.min(...recentMs));

/**
 * A transform whose work never settles (an original's stream that stalls
 * with no error) would hold every transform queued behind it for good: past
 * twice its time limit it gives up its turn, answered 503
 * `transform-timeout`, though the work itself cannot be stopped.
 */
function watched<T>(work: Promise<T>, limitMs: number): Promise<T> {
  if (limitMs <= 0) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(transformTimeout(limitMs / 1000)), 2 * limitMs);
  });
  return Promise.race([work, giveUp]).finally(() => clearTimeout(timer));
}

function oneAtATime<T>(deadlineMs: number, limitMs: number, work: () => Promise<T>): Promise<T> {
  const expectedWait = admitted * fastestRecentMs();
  if (expectedWait > deadlineMs) return Promise.reject(busy(expectedWait));
  admitted++;
  const queuedAt = Date.now();
  const run = tail
    .then(async () => {
      const waited = Date.now() - queuedAt;
      // The client has waited as long as we promised; it may be gone, and others are behind it.
      if (waited > deadlineMs) throw busy(waited);
      const start = Date.now();
      try {
        return await watched(work(), limitMs);
      } finally {
        record(Date.now() - start);
        // Before the next transform: what this one's codecs let go is still charged until collected.
        await collectGarbage();
      }
    })
    .finally(() => admitted--);
  tail = run.catch(() => undefined);
  return run;
}

/** Runs `work` for `key`, or joins the run already under way for it; `joined` tells which. */
export async function admit<T>(key: string, config: Config, work: () => Promise<T>): Promise<{ result: T; joined: boolean }> {
  const running = inFlight.get(key) as Promise<T> | undefined;
  if (running) return { result: await running, joined: true };
  const run = oneAtATime(config.transformQueueDeadline * 1000, config.transformTimeLimit * 1000, work).finally(() => inFlight.delete(key));
  inFlight.set(key, run);
  return { result: await run, joined: false };
}
