/** The Cron Trigger: deletes variants not requested for VARIANT_TTL_DAYS (see storage/variant-lifecycle.ts). */
import { getConfig } from '../config';
import type { Env } from '../env';
import { logEvent } from '../lib/log';
import { dayOf, sweepStaleVariants } from '../storage/variant-lifecycle';

const DAY_MS = 86_400_000;

export async function runSchedule(controller: ScheduledController, env: Env): Promise<void> {
  const { variantTtlDays } = getConfig(env);
  if (variantTtlDays === 0) return;
  const cutoffDay = dayOf(controller.scheduledTime - variantTtlDays * DAY_MS);
  const result = await sweepStaleVariants(env.VARIANTS, cutoffDay);
  logEvent('variants-swept', { cutoffDay, ...result });
}
