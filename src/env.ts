import type { Context } from 'hono';
import type { VariableValues } from './config';

/** Bindings and variables the worker receives: the buckets of wrangler.toml, and the variables of config.ts. */
export interface Env extends VariableValues {
  ORIGINALS: R2Bucket;
  VARIANTS: R2Bucket;
  /** Optional Workers Analytics Engine dataset: one data point per request (README "Logs and metrics"). */
  METRICS?: AnalyticsEngineDataset;
  /** The queue of background jobs (src/queue/jobs.ts); without it, uploads and misses start none. */
  JOBS?: Queue;
  /** public/ (wrangler.toml [assets]): the console's files. */
  ASSETS: Fetcher;
}

/** The Hono context every route and the delivery service see. */
export type AppContext = Context<{ Bindings: Env }>;
