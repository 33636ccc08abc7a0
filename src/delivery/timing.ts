/** Server-Timing for one request: each stage's duration, set through Hono's timing middleware. */
import { setMetric } from 'hono/timing';
import type { AppContext } from '../env';
import { noteRequest } from '../lib/request-log';
import type { StageTimer } from '../pipeline/run';

export function stageTimer(c: AppContext): StageTimer {
  return async (stage, work) => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      const ms = performance.now() - start;
      setMetric(c, stage, ms);
      noteRequest(c.req.raw, { stages: { [stage]: Math.round(ms * 10) / 10 } });
    }
  };
}
