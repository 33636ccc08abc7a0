/** The transform queue's watchdog: a transform whose work never settles gives up its turn instead of holding the queue. */
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { getConfig } from '../src/config';
import { ProblemError } from '../src/errors';
import { admit } from '../src/pipeline/admission';

it('a stalled transform is answered 503 transform-timeout past twice its time limit, and the next one runs', async () => {
  const config = getConfig({ ...env, TRANSFORM_TIME_LIMIT: '1' });
  const started = Date.now();
  const stalled = admit('stalled', config, () => new Promise<never>(() => {}));
  const next = admit('next', config, async () => 'done');
  const error = await stalled.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProblemError);
  expect((error as ProblemError).slug).toBe('transform-timeout');
  expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  expect((await next).result).toBe('done');
});
