/**
 * A small closed-loop load generator: N keep-alive connections, each sending
 * its next request when the previous answer has arrived, for a fixed time
 * and at most a fixed count. Loopback only (see http.mjs).
 */
import { performance } from 'node:perf_hooks';
import { keepAliveAgent, request } from './http.mjs';
import { median } from './stats.mjs';

const WARMUP_REQUESTS_PER_CONNECTION = 5;

/**
 * @param {string} url
 * @param {{ connections: number, durationMs: number, maxRequests: number, isOk: (response) => boolean }} options
 * @returns {Promise<{ requests: number, ok: number, failed: number, seconds: number, requestsPerSecond: number, medianLatencyMs: number }>}
 */
export async function generateLoad(url, { connections, durationMs, maxRequests, isOk }) {
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
