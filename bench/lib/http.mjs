/**
 * One HTTP client for every request the bench sends: keep-alive, loopback
 * only, with the wall time of each request measured from send to last byte.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const DEFAULT_TIMEOUT_MS = 120_000;

/** A keep-alive agent; the load generator makes its own with a fixed socket count. */
export function keepAliveAgent(maxSockets = 16) {
  return new http.Agent({ keepAlive: true, maxSockets });
}

const defaultAgent = keepAliveAgent();

function assertLoopback(url) {
  const { hostname } = new URL(url);
  if (hostname !== '127.0.0.1') throw new Error(`The bench only talks to 127.0.0.1, not ${hostname}`);
}

/**
 * Sends one request and reads the whole body.
 * @param {string} url  an http://127.0.0.1:<port>/… URL
 * @param {{ method?: string, headers?: Record<string,string>, body?: Buffer, agent?: http.Agent, timeoutMs?: number }} [options]
 *   `headers.host` may name another host: the worker then sees another URL origin (see tiers in README).
 *   `timeoutMs` bounds the whole request (default 120 s); past it the request fails.
 * @returns {Promise<{ status: number, headers: http.IncomingHttpHeaders, body: Buffer, ms: number }>}
 */
export function request(url, { method = 'GET', headers = {}, body, agent = defaultAgent, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  assertLoopback(url);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - start }),
      );
      res.on('error', reject);
    });
    // A whole-request deadline: a socket timeout would only notice silence, not a slow trickle.
    const timer = setTimeout(() => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Parses `Server-Timing` into `{ durations: { stage: ms }, descriptions: { stage: text } }`.
 * Entries look like `decode;dur=177.0` or `cache;desc="miss"`.
 */
export function parseServerTiming(header = '') {
  const durations = {};
  const descriptions = {};
  // Split on commas outside quoted descriptions.
  for (const entry of header.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const [name, ...params] = entry.trim().split(';');
    if (!name) continue;
    for (const param of params) {
      const [key, raw = ''] = param.trim().split('=');
      const value = raw.replace(/^"|"$/g, '');
      if (key === 'dur') durations[name] = Number(value);
      if (key === 'desc') descriptions[name] = value;
    }
  }
  return { durations, descriptions };
}

/** The `detail` of a problem+json error body, or the start of the body. */
export function problemDetail(response) {
  const text = response.body.toString('utf8');
  try {
    return JSON.parse(text).detail ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
