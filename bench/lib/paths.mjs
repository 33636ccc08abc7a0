/** Where the bench reads and writes; everything generated lives under bench/.work (git-ignored). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BENCH_DIR = path.join(ROOT, 'bench');
export const FIXTURES_DIR = path.resolve(ROOT, '../shared/fixtures');
export const WORK_DIR = path.join(BENCH_DIR, '.work');
/** Generated inputs (baseline re-encodes, 100 MP images): kept between runs, they are slow to make. */
export const INPUTS_DIR = path.join(WORK_DIR, 'inputs');
/** Local R2 and Cache API of every worker in one run: wiped at the start of a run. */
export const STATE_DIR = path.join(WORK_DIR, 'state');
/** The trivial Worker's Cache API: its own store, never shared by two running workerd processes. */
export const TRIVIAL_STATE_DIR = path.join(WORK_DIR, 'trivial-state');
/** edgepix outputs kept for the SSIM comparison. */
export const OUTPUTS_DIR = path.join(WORK_DIR, 'outputs');
export const LOGS_DIR = path.join(WORK_DIR, 'logs');
/** A copy of the worker's sources for a long section: `wrangler dev` reloads (a new runtime process) when they change. */
export const SNAPSHOT_DIR = path.join(WORK_DIR, 'snapshot');
export const RESULTS_FILE = path.join(BENCH_DIR, 'results.json');

export const WRANGLER_BIN = path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
export const EDGEPIX_CONFIG = path.join(ROOT, 'wrangler.toml');
export const TRIVIAL_CONFIG = path.join(BENCH_DIR, 'trivial-worker/wrangler.toml');
/** The same Worker behind wrangler dev's asset router, as edgepix runs: a control of the throughput section. */
export const TRIVIAL_ASSETS_CONFIG = path.join(BENCH_DIR, 'trivial-worker/wrangler-assets.toml');
