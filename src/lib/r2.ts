/**
 * One call to an R2 binding. Its own failures (an outage, a dropped
 * connection) are logged and answered 503 with Retry-After, never a 500;
 * problems our code raised inside pass through.
 */
import { ProblemError, storageUnavailable } from '../errors';
import { logError } from './log';

export async function r2<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    logError('r2-failed', error, { what });
    throw storageUnavailable(`Storage did not answer (${what}); nothing was changed, retry shortly.`);
  }
}
