/**
 * Cache-hit throughput: edgepix answering a variant from the Cache API
 * against a trivial Worker that returns the same bytes from the Cache API,
 * both under `wrangler dev` on this machine, with the same load generator.
 * The two alternate in short windows (edgepix, trivial, edgepix, …) so a
 * change in the machine's load hits both alike. The ratio is what the target
 * is about; absolute numbers are the local runtime's (wrangler's proxy
 * included), not production's. CPU time of each runtime per request is
 * recorded too: it does not depend on the machine's load.
 *
 * Two controls run in the same windows and say where a gap comes from: the
 * trivial Worker behind wrangler dev's asset router (edgepix's wrangler.toml
 * has [assets] with run_worker_first), and the same logging one JSON line per
 * request, as edgepix does. They are not the ratio's reference. Every Worker
 * runs without wrangler's inspector proxy, which relays each log line to the
 * terminal and falls behind under load (bench/lib/worker.mjs): production has none.
 */
import fs from 'node:fs';
import { originalKey, transformRequest } from '../edgepix.mjs';
import { combineLoad, generateLoad } from '../load.mjs';
import { request } from '../http.mjs';
import { TRIVIAL_ASSETS_CONFIG, TRIVIAL_CONFIG, TRIVIAL_STATE_DIR } from '../paths.mjs';
import { ratio } from '../stats.mjs';
import { edgepixOptions } from '../transform-spec.mjs';
import { startWorker } from '../worker.mjs';

/**
 * @param {{ worker, input, transform, log,
 *           load: { connections: number, durationMs: number, maxRequests: number, rounds: number } }} context
 *   `input`: its `tier` original must be uploaded; its variant is the body both Workers serve.
 *   `load.durationMs` and `load.maxRequests` are per Worker, split over `rounds` windows.
 */
export async function measureThroughput({ worker, input, transform, load, log }) {
  const key = originalKey('tier', input);
  // Two requests make sure the variant is in the Cache API (the first may transform it).
  await transformRequest(worker, key, edgepixOptions(transform));
  const cached = await transformRequest(worker, key, edgepixOptions(transform));
  if (cached.tier !== 'edge') return { error: `expected a Cache API hit, got ${cached.status} ${cached.tier}` };
  const imageUrl = `${worker.url}/img/${edgepixOptions(transform)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const window = {
    connections: load.connections,
    durationMs: load.durationMs / load.rounds,
    maxRequests: Math.ceil(load.maxRequests / load.rounds),
  };

  const trivials = [
    { name: 'trivial', config: TRIVIAL_CONFIG },
    { name: 'trivialAssets', config: TRIVIAL_ASSETS_CONFIG },
    { name: 'trivialAssetsLog', config: TRIVIAL_ASSETS_CONFIG, vars: { LOG_LINE: 'true' } },
  ];
  const started = [];
  try {
    for (const { name, config, vars } of trivials) {
      // Each its own Cache API store: two running workerd processes never share one.
      const persistTo = name === 'trivial' ? TRIVIAL_STATE_DIR : `${TRIVIAL_STATE_DIR}-${name}`;
      fs.rmSync(persistTo, { recursive: true, force: true });
      const trivialWorker = await startWorker({ name, config, persistTo, vars, inspectorProxy: false });
      started.push({ name, trivialWorker });
      const seeded = await request(`${trivialWorker.url}/seed`, { method: 'PUT', body: cached.body, headers: { 'content-type': 'image/webp' } });
      if (seeded.status !== 204) throw new Error(`${name} worker seed answered ${seeded.status}`);
    }
    const windows = { edgepix: [], ...Object.fromEntries(trivials.map((t) => [t.name, []])) };
    for (let round = 0; round < load.rounds; round++) {
      windows.edgepix.push(
        await generateLoad(imageUrl, {
          ...window,
          cpuPid: worker.runtimePid,
          isOk: (r) => r.status === 200 && r.headers['x-edgepix-cache'] === 'edge',
        }),
      );
      for (const { name, trivialWorker } of started) {
        windows[name].push(
          await generateLoad(`${trivialWorker.url}/`, {
            ...window,
            cpuPid: trivialWorker.runtimePid,
            isOk: (r) => r.status === 200 && r.body.length === cached.body.length,
          }),
        );
      }
    }
    const combined = Object.fromEntries(Object.entries(windows).map(([name, w]) => [name, combineLoad(w)]));
    for (const [name, result] of Object.entries(combined)) {
      log(`  ${name}: ${result.requestsPerSecond.toFixed(0)} req/s, ${result.cpuMsPerRequest?.toFixed(2)} ms runtime CPU per request (${result.failed} failed)`);
    }
    const { edgepix, trivial, trivialAssets, trivialAssetsLog } = combined;
    return {
      bodyBytes: cached.body.length,
      connections: load.connections,
      edgepix,
      trivial,
      ratio: ratio(edgepix.requestsPerSecond, trivial.requestsPerSecond),
      cpuRatio: ratio(trivial.cpuMsPerRequest, edgepix.cpuMsPerRequest),
      controls: {
        trivialAssets,
        trivialAssetsLog,
        // edgepix against a Worker that does no more than answer from the Cache API, behind the asset router, logging a line.
        ratioToAssetsLog: ratio(edgepix.requestsPerSecond, trivialAssetsLog.requestsPerSecond),
      },
    };
  } finally {
    for (const { trivialWorker } of started) await trivialWorker.stop();
  }
}
