/**
 * GET /api/v1/jobs/failed (the background jobs the queue gave up on, with
 * their reasons) and POST /api/v1/jobs/failed/<id>/retry (send one again,
 * with a fresh round of attempts). Admin token.
 */
import { Hono } from 'hono';
import * as v from 'valibot';
import { invalidRequest, misconfigured, notFound } from '../../errors';
import { validate } from '../../lib/validate';
import { resendJob, type Job } from '../../queue/jobs';
import type { ApiEnv } from '../../security/auth';
import { forgetFailedJob, listDeadJobs, readFailedJob } from '../../storage/failed-jobs';
import { pageQuery } from './paging';

export const jobRoutes = new Hono<ApiEnv>()
  .get('/failed', async (c) => {
    const { cursor, limit } = validate(v.object(pageQuery), c.req.query(), invalidRequest);
    return c.json(await listDeadJobs(c.env.VARIANTS, cursor, limit));
  })
  .post('/failed/:id/retry', async (c) => {
    const id = c.req.param('id');
    const record = await readFailedJob(c.env.VARIANTS, id);
    if (!record || record.state !== 'dead') throw notFound(`No failed job "${id}" (GET /api/v1/jobs/failed lists them).`);
    if (!(await resendJob(c.env.JOBS, record.job as Job))) throw misconfigured('This worker has no JOBS queue binding (see "Background jobs" in the README).');
    await forgetFailedJob(c.env.VARIANTS, id);
    return c.json({ id, requeued: true }, 202);
  });
