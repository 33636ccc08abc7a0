/** Worker entry point: requests, background jobs from the Queue, and the Cron Trigger. */
import { app } from './app';
import type { Env } from './env';
import { consumeQueue } from './jobs/consumer';
import { runSchedule } from './jobs/lifecycle';
import type { Job } from './queue/jobs';

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeQueue(batch, env),
  scheduled: (controller, env) => runSchedule(controller, env),
} satisfies ExportedHandler<Env, Job>;
