/** The original a job was sent for, if it is still the same one (same ETag): a job for a replaced or deleted original does nothing. */
import { getConfig } from '../config';
import type { Env } from '../env';
import { ProblemError } from '../errors';
import { findOriginal, forgetOriginal, type Original } from '../delivery/original';
import { logEvent } from '../lib/log';
import type { Job } from '../queue/jobs';

export async function currentOriginal(env: Env, job: Job): Promise<Original | undefined> {
  // Never a remembered lookup: the job may run long after the upload or request that sent it.
  forgetOriginal(job.key);
  let original: Original;
  try {
    original = await findOriginal(env, job.key, getConfig(env));
  } catch (error) {
    if (!(error instanceof ProblemError && error.status === 404)) throw error;
    logEvent('job-skipped', { job: job.kind, key: job.key, why: 'the original was deleted' });
    return undefined;
  }
  if (original.version.etag === job.etag) return original;
  logEvent('job-skipped', { job: job.kind, key: job.key, why: 'the original was replaced' });
  return undefined;
}
