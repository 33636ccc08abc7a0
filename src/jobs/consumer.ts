/**
 * The Queue consumer. For the jobs queue: runs each job; a failure is
 * recorded with its reason and retried after `attempt × (10 + attempt)`
 * seconds, until wrangler.toml's `max_retries` sends it to the dead-letter
 * queue. A problem that no retry can fix (a 4xx: the original cannot be
 * decoded, the preset is unknown) is recorded dead at once. For the
 * dead-letter queue: marks each job's record dead, so the API lists it.
 */
import type { Env } from '../env';
import { asProblem, ProblemError } from '../errors';
import { logError } from '../lib/log';
import { DEAD_LETTER_QUEUE, retryDelaySeconds, type Job } from '../queue/jobs';
import { forgetFailedJob, readFailedJob, recordFailedJob } from '../storage/failed-jobs';
import { optimizeStoredVariant } from './optimize-job';
import { makePreset } from './preset-job';

function runJob(env: Env, job: Job): Promise<void> {
  switch (job.kind) {
    case 'preset':
      return makePreset(env, job);
    case 'optimize':
      return optimizeStoredVariant(env, job);
  }
}

const reasonOf = (error: unknown) => (error instanceof ProblemError ? `${error.status} ${asProblem(error).slug}: ${error.detail}` : String(error));

async function runMessage(env: Env, message: Message<Job>): Promise<void> {
  const job = message.body;
  try {
    await runJob(env, job);
    if (message.attempts > 1) await forgetFailedJob(env.VARIANTS, job.id);
    message.ack();
  } catch (error) {
    const permanent = error instanceof ProblemError && error.status < 500;
    logError('job-failed', error, { job: job.kind, key: job.key, id: job.id, attempt: message.attempts, permanent });
    await recordFailedJob(env.VARIANTS, {
      id: job.id, kind: job.kind, key: job.key, state: permanent ? 'dead' : 'retrying',
      reason: reasonOf(error), attempts: message.attempts, failedAt: new Date().toISOString(), job,
    }).catch((recordError: unknown) => logError('job-record-failed', recordError, { id: job.id }));
    if (permanent) message.ack();
    else message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  }
}

/** The queue gave up on these: their records become dead (a record is written here if none was). */
async function buryMessage(env: Env, message: Message<Job>): Promise<void> {
  const job = message.body;
  const record = await readFailedJob(env.VARIANTS, job.id);
  await recordFailedJob(env.VARIANTS, {
    id: job.id, kind: job.kind, key: job.key, reason: record?.reason ?? 'unknown (no failure was recorded)',
    attempts: record?.attempts ?? message.attempts, job, state: 'dead', failedAt: new Date().toISOString(),
  });
  message.ack();
}

export async function consumeQueue(batch: MessageBatch<Job>, env: Env): Promise<void> {
  const handle = batch.queue === DEAD_LETTER_QUEUE ? buryMessage : runMessage;
  // One at a time: transforms share one isolate's memory (see pipeline/admission.ts).
  for (const message of batch.messages) await handle(env, message);
}
