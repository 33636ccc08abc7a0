/**
 * Records of background jobs that failed, in the VARIANTS bucket under
 * `:edgepix/jobs/failed/<job id>` (like upload tokens: variant keys always
 * escape `:`, so no purge touches them). A job that fails is recorded
 * `retrying` with its reason on every attempt, and deleted when a retry
 * succeeds; the dead-letter consumer marks it `dead` once the queue gives
 * up, and only those are listed for people. The job itself is kept whole,
 * so it can be sent again.
 */
import { r2 } from '../lib/r2';

const PREFIX = ':edgepix/jobs/failed/';
/** R2 custom metadata is 2 KiB in all; the whole reason is in the body. */
const LISTED_REASON_LENGTH = 300;

export type FailedJobState = 'retrying' | 'dead';

export interface FailedJob {
  id: string;
  kind: string;
  key: string;
  state: FailedJobState;
  reason: string;
  attempts: number;
  failedAt: string;
}

export interface FailedJobRecord extends FailedJob {
  job: unknown;
}

const recordKey = (id: string) => `${PREFIX}${id}`;

export async function recordFailedJob(bucket: R2Bucket, record: FailedJobRecord): Promise<void> {
  const { job, ...listed } = record;
  await r2('failed job write', () => bucket.put(recordKey(record.id), JSON.stringify({ ...listed, job }), {
    httpMetadata: { contentType: 'application/json' },
    customMetadata: { ...listed, attempts: String(listed.attempts), reason: listed.reason.slice(0, LISTED_REASON_LENGTH) },
  }));
}

export async function readFailedJob(bucket: R2Bucket, id: string): Promise<FailedJobRecord | undefined> {
  const object = await r2('failed job read', () => bucket.get(recordKey(id)));
  return object ? ((await object.json()) as FailedJobRecord) : undefined;
}

export function forgetFailedJob(bucket: R2Bucket, id: string): Promise<void> {
  return r2('failed job delete', () => bucket.delete(recordKey(id)));
}

/** One page of the jobs the queue gave up on, newest record first within the page. */
export async function listDeadJobs(bucket: R2Bucket, cursor: string | undefined, limit: number) {
  const page = await r2('failed job list', () => bucket.list({ prefix: PREFIX, cursor, limit, include: ['customMetadata'] }));
  const jobs = page.objects
    .map(({ customMetadata: m = {} }): FailedJob => ({
      id: m.id ?? '', kind: m.kind ?? '', key: m.key ?? '', state: m.state === 'dead' ? 'dead' : 'retrying',
      reason: m.reason ?? '', attempts: Number(m.attempts ?? 0), failedAt: m.failedAt ?? '',
    }))
    .filter((job) => job.state === 'dead')
    .sort((a, b) => b.failedAt.localeCompare(a.failedAt));
  return { jobs, cursor: page.truncated ? page.cursor : undefined };
}
