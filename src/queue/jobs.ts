/**
 * The background jobs edgepix sends to its Cloudflare Queue (the `JOBS`
 * binding) and their retry schedule. A job names what it works on by the
 * original's key *and ETag*, so a job for an original replaced or deleted
 * since it was sent does nothing. Bodies are structured-cloned (the
 * Queue's default `v8` content type): a spec travels as it is.
 */
import type { OutputFormat, ResolvedSpec } from '../spec/transform-spec';

interface JobBase {
  /** Stable across retries and into the dead-letter queue: names the failed-job record. */
  id: string;
  key: string;
  etag: string;
}

/** Make a preset's variant right after an upload, so its first visitor finds it stored. */
export interface PresetJob extends JobBase {
  kind: 'preset';
  preset: string;
  /** The format a `format=auto` preset is made in; ignored when the preset names its own. */
  format: OutputFormat;
  /** Where the upload was made: the origin its cache entries and logs are for. */
  origin: string;
}

/** Re-encode a stored variant at high effort, replacing it only when smaller at equal or better quality. */
export interface OptimizeJob extends JobBase {
  kind: 'optimize';
  spec: ResolvedSpec;
  variant: string;
  /** The variant's Cache API URL in the location that made it, replaced there once optimized. */
  cacheUrl: string;
}

export type Job = PresetJob | OptimizeJob;

type NewJob = Job extends infer J ? (J extends Job ? Omit<J, 'id'> : never) : never;

/** Sends the jobs in one call; nothing when the worker has no queue bound (background work is then off). */
export async function sendJobs(queue: Queue | undefined, jobs: readonly NewJob[]): Promise<void> {
  if (!queue || jobs.length === 0) return;
  await queue.sendBatch(jobs.map((job) => ({ body: { ...job, id: crypto.randomUUID() } })));
}

/** Puts a failed job back as new: a fresh round of attempts. */
export async function resendJob(queue: Queue | undefined, job: Job): Promise<boolean> {
  if (!queue) return false;
  await queue.send(job);
  return true;
}

/** wrangler.toml's `dead_letter_queue` of the jobs queue (a test holds the two together). */
export const DEAD_LETTER_QUEUE = 'edgepix-jobs-failed';

/** Seconds before attempt `attempt + 1` after attempt `attempt` failed: 11, 24, 39, 56, 75 s … */
export const retryDelaySeconds = (attempt: number) => attempt * (10 + attempt);
