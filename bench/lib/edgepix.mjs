/**
 * Talking to edgepix: where each original lives in R2 for each purpose, and
 * one request helper that returns what the bench records for a transform —
 * status, cache tier, Server-Timing stages, wall time and the runtime's CPU time.
 */
import path from 'node:path';
import { parseServerTiming, problemDetail, request } from './http.mjs';
import { FIXTURES_DIR } from './paths.mjs';
import { cpuTimeMs } from './procfs.mjs';

/**
 * R2 key of an original uploaded for one purpose. Every cold measurement gets
 * its own key, so neither the Cache API nor the R2 variant can answer it.
 * @param {'cold' | 'tier' | 'memory' | 'mixed' | 'matrix' | 'burst'} purpose
 */
export const originalKey = (purpose, input, n = 0) => `bench/${purpose}/${n}/${input.id}`;

/** Tiny originals, one per input format, that bring each codec up before a measurement. */
const WARMUP_ORIGINALS = {
  jpeg: path.join(FIXTURES_DIR, 'formats/320x240.jpg'),
  png: path.join(FIXTURES_DIR, 'formats/with-alpha.png'),
  webp: path.join(FIXTURES_DIR, 'formats/5_webp_a.webp'),
  avif: path.join(FIXTURES_DIR, 'formats/pitm.avif'),
};
const warmupKey = (format) => `bench/warmup/${format}`;

export const warmupUploads = () =>
  Object.entries(WARMUP_ORIGINALS).map(([format, file]) => ({ key: warmupKey(format), file }));

let warmups = 0;

/**
 * Runs one small transform per format so WASM modules are compiled and
 * instantiated before anything is measured. Each call asks for a width
 * never asked before, so it is a real transform, not a cache hit.
 */
export async function warmUp(worker, formats = Object.keys(WARMUP_ORIGINALS)) {
  for (const format of formats) {
    const width = 100 + warmups++;
    await transformRequest(worker, warmupKey(format), `width=${width},format=webp,quality=80`);
  }
}

/** One small transform per output format, so every encoder is compiled and instantiated too. */
export async function warmUpEncoders(worker, formats = ['jpeg', 'webp', 'avif', 'png']) {
  for (const format of formats) {
    const width = 100 + warmups++;
    await transformRequest(worker, warmupKey('jpeg'), `width=${width},format=${format}`);
  }
}

/**
 * GET /img/<options>/<key> on a running worker.
 * @param {string} options  e.g. `edgepixOptions(BENCH_TRANSFORM)`
 * @param {{ host?: string, timeoutMs?: number, agent?: import('node:http').Agent }} [options]  another Host gives the worker
 *   another URL origin, hence another Cache API key (edgepix keys the Cache API on its own origin), but the same R2 variant.
 *   `agent`: e.g. one with enough sockets to send many requests at once.
 * @returns {Promise<{ status: number, tier: string | undefined, stages: Record<string, number>,
 *   descriptions: Record<string, string>, headers: import('node:http').IncomingHttpHeaders,
 *   wallMs: number, cpuMs: number, body: Buffer, detail: string | null }>}
 *   `cpuMs` is the runtime's CPU time while the request ran: meaningless when requests overlap.
 */
export async function transformRequest(worker, key, options, { host, timeoutMs, agent } = {}) {
  const url = `${worker.url}/img/${options}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const cpuBefore = cpuTimeMs(worker.runtimePid);
  const response = await request(url, { headers: host ? { host } : {}, timeoutMs, ...(agent ? { agent } : {}) });
  const cpuMs = cpuTimeMs(worker.runtimePid) - cpuBefore;
  const { durations, descriptions } = parseServerTiming(response.headers['server-timing']);
  return {
    status: response.status,
    tier: response.headers['x-edgepix-cache'],
    stages: durations,
    descriptions,
    headers: response.headers,
    wallMs: response.ms,
    cpuMs,
    body: response.body,
    detail: response.status === 200 ? null : problemDetail(response),
  };
}
