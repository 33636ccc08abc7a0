/**
 * A small closed-loop load generator: N keep-alive connections, each sending
 * its next request when the previous answer has arrived, for a fixed time
 * and at most a fixed count. Loopback only (see http.mjs).
 */
import { performance } from 'node:perf_hooks';
import { keepAliveAgent, request } from './http.mjs';
import { cpuTimeMs } from './procfs.mjs';
import { median } from './stats.mjs';

const WARMUP_REQUESTS_PER_CONNECTION = 5;

/**
 * Adds up windows of `generateLoad` on the same target into one result.
 * @param {Awaited<ReturnType<typeof generateLoad>>[]} windows
 */
export function combineLoad(windows) {
  const sum = (key) => windows.reduce((total, w) => total + w[key], 0);
  const seconds = sum('seconds');
  const ok = sum('ok');
  return {
    requests: sum('requests'),
    ok,
    failed: sum('failed'),
    seconds,
    requestsPerSecond: ok / seconds,
    medianLatencyMs: median(windows.map((w) => w.medianLatencyMs)),
    cpuMsPerRequest: windows.every((w) => w.cpuMs != null) ? sum('cpuMs') / ok : null,
  };
}

/**
 * @param {string} url
 * @param {{ connections: number, durationMs: number, maxRequests: number, isOk: (response) => boolean, cpuPid?: number }} options
 *   `cpuPid`: a process whose CPU time per answered request is reported too.
 * @returns {Promise<{ requests: number, ok: number, failed: number, seconds: number, requestsPerSecond: number,
 *   medianLatencyMs: number, cpuMs: number | null }>}
 */
export async function generateLoad(url, { connections, durationMs, maxRequests, isOk, cpuPid }) {
  const agent = keepAliveAgent(connections);
  try {
    // Opens every connection before the clock starts.
    await Promise.all(
      Array.from({ length: connections }, async () => {
        for (let n = 0; n < WARMUP_REQUESTS_PER_CONNECTION; n++) await request(url, { agent });
      }),
    );
    let sent = 0;
    let failed = 0;
    const latencies = [];
    const cpuBefore = cpuPid ? cpuTimeMs(cpuPid) : null;
    const start = performance.now();
    const deadline = start + durationMs;
    const lane = async () => {
      while (performance.now() < deadline && sent < maxRequests) {
        sent++;
        try {
          const response = await request(url, { agent });
          if (isOk(response)) latencies.push(response.ms);
          else failed++;
        } catch {
          failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: connections }, lane));
    const seconds = (performance.now() - start) / 1000;
    return {
      cpuMs: cpuPid ? cpuTimeMs(cpuPid) - cpuBefore : null,
      requests: sent,
      ok: latencies.length,
      failed,
      seconds,
      requestsPerSecond: latencies.length / seconds,
      medianLatencyMs: median(latencies),
    };
  } finally {
    agent.destroy();
  }
}
