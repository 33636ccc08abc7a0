/**
 * Background work on the real Queue and Cron machinery of miniflare: jobs
 * sent by uploads run in the worker's own consumer; batches built with
 * createMessageBatch run the consumer directly, so retries and delays can
 * be read back with getQueueResult.
 */
import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { DEAD_LETTER_QUEUE, type Job, type OptimizeJob, type PresetJob } from '../src/queue/jobs';
import { DEFAULT_SPEC } from '../src/spec/transform-spec';
import wrangler from '../wrangler.toml?raw';
import { api, countVariants, decodedFixture, decodeResponse, encodeKey, fixture, img, meanDifference, putOriginal, request, uniqueKey, uploadForm } from './helpers';

const JOBS_QUEUE = 'edgepix-jobs';
const WEBP = { headers: { Accept: 'image/webp' } };
const DAY_MS = 86_400_000;
const day = (ago: number) => new Date(Date.now() - ago * DAY_MS).toISOString().slice(0, 10);

/** An http origin nobody listens on: every lookup fails as an outage would (502), so the job is retried. */
const DOWN_ORIGIN = { ORIGINS: JSON.stringify([{ prefix: 'down/', type: 'http', base: 'http://127.0.0.1:9/', allowInsecure: true, retries: 0, timeoutSeconds: 1 }]) };

let messageCounter = 0;
async function runBatch(queue: string, jobs: { job: Job; attempts?: number }[], vars: Record<string, string> = {}) {
  const batch = createMessageBatch<Job>(queue, jobs.map(({ job, attempts = 1 }) => ({ id: `m${messageCounter++}`, timestamp: new Date(), attempts, body: job })));
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...vars });
  return { batch, result: await getQueueResult(batch, ctx) };
}

async function storedPhoto(name = 'photo.jpg') {
  const key = await putOriginal(uniqueKey(name), await fixture('formats/320x240.jpg'));
  const { etag } = (await env.ORIGINALS.head(key))!;
  return { key, etag };
}

const presetJob = (key: string, etag: string, preset = 'thumb'): PresetJob =>
  ({ kind: 'preset', id: crypto.randomUUID(), key, etag, preset, format: 'webp', origin: 'http://localhost' });

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, seconds = 40): Promise<T> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A request from another site name: its edge-cache entry is its own, so the R2 variant tier answers. */
async function fromElsewhere(path: string, host: string) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://${host}${path}`, WEBP), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe('presets made at upload (PREGENERATE)', () => {
  it('an upload sends one job per preset; the consumer stores them, and the first visitor finds them stored', async () => {
    const key = uniqueKey('pregenerated.jpg');
    const upload = await api('/images', { method: 'POST', body: uploadForm([['p.jpg', await fixture('formats/320x240.jpg')]], { key }) },
      { PREGENERATE: '["thumb","card"]' });
    expect(upload.status).toBe(201);
    await eventually('two preset variants', async () => ((await countVariants(key)) === 2 ? true : undefined));

    const thumb = await img('thumb', key, WEBP);
    expect(thumb.headers.get('X-Edgepix-Cache')).toBe('variant');
    expect(await decodeResponse(thumb)).toMatchObject({ format: 'webp', width: 200, height: 200 });
    const card = await img('card', key, WEBP);
    expect(card.headers.get('X-Edgepix-Cache')).toBe('variant');
    expect(await decodeResponse(card)).toMatchObject({ format: 'webp', width: 600, height: 400 });
  });

  it('without PREGENERATE an upload sends nothing', async () => {
    const key = uniqueKey('plain.jpg');
    await api('/images', { method: 'POST', body: uploadForm([['p.jpg', await fixture('formats/320x240.jpg')]], { key }) });
    await new Promise((resolve) => setTimeout(resolve, 2500)); // past max_batch_timeout
    expect(await countVariants(key)).toBe(0);
  });

  it('PREGENERATE naming a preset PRESETS lacks is a configuration error, not a failed upload later', async () => {
    const response = await api('/images', { method: 'POST', body: uploadForm([['p.jpg', 'x']]) }, { PREGENERATE: '["nope"]' });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ detail: expect.stringContaining('PREGENERATE names "nope"') });
  });

  it('a job for an original replaced or deleted since does nothing', async () => {
    const { key } = await storedPhoto();
    const stale = await runBatch(JOBS_QUEUE, [{ job: presetJob(key, '"an-older-etag"') }, { job: presetJob(uniqueKey('gone.jpg'), '"x"') }]);
    expect(stale.result.explicitAcks.length).toBe(2);
    expect(stale.result.retryMessages).toEqual([]);
    expect(await countVariants(key)).toBe(0);
  });

  it('a job racing a request for the same variant leaves one valid variant', async () => {
    const { key, etag } = await storedPhoto();
    const [, response] = await Promise.all([runBatch(JOBS_QUEUE, [{ job: presetJob(key, etag) }]), img('thumb', key, WEBP)]);
    expect(await decodeResponse(response)).toMatchObject({ width: 200, height: 200 });
    expect(await countVariants(key)).toBe(1);
    const again = await img('thumb', key, WEBP);
    expect(await decodeResponse(again)).toMatchObject({ width: 200, height: 200 });
  });
});

describe('the optimize pass (OPTIMIZE)', () => {
  const optimizeJob = (key: string, etag: string, variant: string, spec: OptimizeJob['spec'], cacheUrl: string): OptimizeJob =>
    ({ kind: 'optimize', id: crypto.randomUUID(), key, etag, spec, variant, cacheUrl });

  it('a miss sends the job; running it replaces the variant with a smaller one, records it, and refreshes the edge cache', async () => {
    const key = await putOriginal(uniqueKey('photo.jpg'), await fixture('photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg'));
    const { etag } = (await env.ORIGINALS.head(key))!;
    const path = `/img/width=640,format=jpeg/${encodeKey(key)}`;
    const first = await request(path, {}, { OPTIMIZE: 'true' });
    expect(first.headers.get('X-Edgepix-Cache')).toBe('miss');
    const fast = new Uint8Array(await first.arrayBuffer());
    const variant = (await env.VARIANTS.list({ prefix: `${encodeURIComponent(key)}/` })).objects[0]!.key;

    // The job the miss sent runs in the worker's own consumer (vitest.config.ts turns OPTIMIZE off for
    // everything else); this test also runs one itself, so it can read the outcome back.
    const spec = { ...DEFAULT_SPEC, width: 640, format: 'jpeg' as const };
    const job = optimizeJob(key, etag, variant, spec, `http://localhost/__edgepix/variants/${variant}`);
    const { result } = await runBatch(JOBS_QUEUE, [{ job }]);
    expect(result.explicitAcks).toEqual([expect.any(String)]);

    const stored = (await env.VARIANTS.get(variant))!;
    const optimized = new Uint8Array(await stored.arrayBuffer());
    expect(optimized.byteLength).toBeLessThan(fast.byteLength);
    const note = JSON.parse(stored.customMetadata!.optimized!) as { before: number; metric: string; fast: number; optimized: number };
    expect(note).toMatchObject({ before: fast.byteLength, metric: expect.any(String) });
    expect(note.optimized).toBeGreaterThanOrEqual(note.fast);
    // Judged independently too: the optimized file is no further from the original, by the oracle's decoder.
    const original = await decodedFixture('photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg');
    const oracleFast = await meanDifference(original, await decodeResponse(new Response(fast, { headers: { 'Content-Type': 'image/jpeg', 'Content-Length': String(fast.byteLength) } })));
    const oracleOptimized = await meanDifference(original, await decodeResponse(new Response(optimized, { headers: { 'Content-Type': 'image/jpeg', 'Content-Length': String(optimized.byteLength) } })));
    expect(oracleOptimized).toBeLessThanOrEqual(oracleFast + 0.5);

    const again = await request(path);
    expect(again.headers.get('X-Edgepix-Cache')).toBe('edge');
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(optimized);

    // Twice is once: the second run finds it optimized and leaves it be.
    await runBatch(JOBS_QUEUE, [{ job: { ...job, id: crypto.randomUUID() } }]);
    expect((await env.VARIANTS.head(variant))!.etag).toBe(stored.etag);
  });

  it('a job for a variant that is gone, or an original replaced since, does nothing', async () => {
    const { key, etag } = await storedPhoto();
    const spec = { ...DEFAULT_SPEC, width: 64, format: 'webp' as const };
    const gone = optimizeJob(key, etag, `${encodeURIComponent(key)}/nothing-here.webp`, spec, 'http://localhost/__edgepix/variants/x');
    const replaced = optimizeJob(key, '"older"', `${encodeURIComponent(key)}/x.webp`, spec, 'http://localhost/__edgepix/variants/x');
    const { result } = await runBatch(JOBS_QUEUE, [{ job: gone }, { job: replaced }]);
    expect(result.explicitAcks.length).toBe(2);
    expect(await countVariants(key)).toBe(0);
  });
});

describe('retries, the dead-letter queue and the failed-jobs API', () => {
  it('a failing job is retried after attempt × (10 + attempt) seconds: 11, 24, 39, 56, 75', async () => {
    const jobs = [1, 2, 3, 4, 5].map((attempts) => ({ job: presetJob(`down/${uniqueKey('a.jpg')}`, '"e"'), attempts }));
    const batch = createMessageBatch<Job>(JOBS_QUEUE, jobs.map(({ job, attempts }) => ({ id: `m${messageCounter++}`, timestamp: new Date(), attempts, body: job })));
    // getQueueResult reports which messages were retried but not their delays: the spies see the calls themselves.
    const retries = batch.messages.map((message) => vi.spyOn(message, 'retry'));
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, ...DOWN_ORIGIN });
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages.map((r: { msgId: string }) => r.msgId)).toEqual(batch.messages.map((m) => m.id));
    expect(retries.map((spy) => spy.mock.calls)).toEqual([11, 24, 39, 56, 75].map((delaySeconds) => [[{ delaySeconds }]]));

    const record = await env.VARIANTS.get(`:edgepix/jobs/failed/${jobs[0]!.job.id}`);
    expect(await record?.json()).toMatchObject({ state: 'retrying', attempts: 1, reason: expect.stringMatching(/^502 origin-unavailable/) });
    const listed = await (await api('/jobs/failed')).json<{ jobs: { id: string }[] }>();
    expect(listed.jobs.map((j) => j.id)).not.toContain(jobs[0]!.job.id); // still retrying: not listed
  });

  it('wrangler.toml gives up after max_retries into the dead-letter queue the consumer knows', () => {
    const consumer = /\[\[queues\.consumers\]\]\nqueue = "edgepix-jobs"\n([^[]*)/.exec(wrangler)?.[1] ?? '';
    expect(consumer).toMatch(/^max_retries = 5$/m);
    expect(consumer).toMatch(new RegExp(`^dead_letter_queue = "${DEAD_LETTER_QUEUE}"$`, 'm'));
    expect(wrangler).toMatch(new RegExp(`\\[\\[queues\\.consumers\\]\\]\\nqueue = "${DEAD_LETTER_QUEUE}"`));
  });

  it('a job the queue gave up on is listed with its reason, and can be sent again', async () => {
    const job = presetJob(`down/${uniqueKey('b.jpg')}`, '"e"');
    await runBatch(JOBS_QUEUE, [{ job, attempts: 6 }], DOWN_ORIGIN);
    const dead = await runBatch(DEAD_LETTER_QUEUE, [{ job, attempts: 1 }]);
    expect(dead.result.explicitAcks.length).toBe(1);

    const listed = await (await api('/jobs/failed')).json<{ jobs: Record<string, unknown>[] }>();
    expect(listed.jobs).toContainEqual(expect.objectContaining({ id: job.id, kind: 'preset', key: job.key, state: 'dead', attempts: 6, reason: expect.stringMatching(/^502 origin-unavailable/) }));

    const retried = await api(`/jobs/failed/${job.id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(202);
    const after = await (await api('/jobs/failed')).json<{ jobs: { id: string }[] }>();
    expect(after.jobs.map((j) => j.id)).not.toContain(job.id);
    expect((await api(`/jobs/failed/${job.id}/retry`, { method: 'POST' })).status).toBe(404);
  });

  it('a job no retry can fix (4xx) is dead at once; sent again from the API it runs in the real queue', async () => {
    const { key, etag } = await storedPhoto();
    const job = presetJob(key, etag);
    const { result } = await runBatch(JOBS_QUEUE, [{ job }], { PRESETS: '{"other": "width=10"}' });
    expect(result.retryMessages).toEqual([]);
    const listed = await (await api('/jobs/failed')).json<{ jobs: Record<string, unknown>[] }>();
    expect(listed.jobs).toContainEqual(expect.objectContaining({ id: job.id, state: 'dead', reason: expect.stringContaining('Unknown preset "thumb"') }));

    expect((await api(`/jobs/failed/${job.id}/retry`, { method: 'POST' })).status).toBe(202);
    await eventually('the re-sent preset', async () => ((await countVariants(key)) === 1 ? true : undefined));
  });

  it('the API needs the admin token and validates paging', async () => {
    expect((await api('/jobs/failed', {}, {}, '')).status).toBe(401);
    expect((await api('/jobs/failed?limit=0')).status).toBe(400);
  });
});

describe('variant lifecycle: the Cron Trigger deletes what nobody asked for in VARIANT_TTL_DAYS', () => {
  async function sweep(vars: Record<string, string> = {}) {
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '17 3 * * *' }), { ...env, ...vars });
  }

  /** Rewrites a stored variant as if it had been made `ago` days back. */
  async function age(variantKey: string, ago: number) {
    const object = (await env.VARIANTS.get(variantKey))!;
    await env.VARIANTS.put(variantKey, await object.arrayBuffer(), {
      httpMetadata: object.httpMetadata, customMetadata: { ...object.customMetadata, accessed: day(ago) },
    });
  }

  async function onlyVariant(key: string) {
    const listed = await env.VARIANTS.list({ prefix: `${encodeURIComponent(key)}/` });
    expect(listed.objects.length).toBe(1);
    return listed.objects[0]!.key;
  }

  it('deletes stale variants with their stamps; keeps fresh and recently requested ones, originals and records', async () => {
    const { key: fresh } = await storedPhoto('fresh.jpg');
    expect((await img('width=64', fresh)).status).toBe(200);

    const { key: stale } = await storedPhoto('stale.jpg');
    expect((await img('width=64', stale)).status).toBe(200);
    await age(await onlyVariant(stale), 40);

    const { key: used } = await storedPhoto('used.jpg');
    expect((await img('width=64,format=webp', used, WEBP)).status).toBe(200);
    const usedVariant = await onlyVariant(used);
    await age(usedVariant, 40);
    const path = `/img/width=64,format=webp/${encodeKey(used)}`;
    expect((await fromElsewhere(path, 'second.example')).headers.get('X-Edgepix-Cache')).toBe('variant');
    const stamp = await env.VARIANTS.head(`:edgepix/accessed/${usedVariant}`);
    expect(stamp?.customMetadata?.accessed).toBe(day(0));
    // A second variant-tier read the same day writes no second stamp.
    expect((await fromElsewhere(path, 'third.example')).headers.get('X-Edgepix-Cache')).toBe('variant');
    expect((await env.VARIANTS.head(`:edgepix/accessed/${usedVariant}`))?.uploaded).toEqual(stamp!.uploaded);

    await env.VARIANTS.put(':edgepix/jobs/failed/kept', '{}');
    await sweep({ VARIANT_TTL_DAYS: '0' });
    expect(await countVariants(stale)).toBe(1); // 0: keep everything

    await sweep();
    expect(await countVariants(stale)).toBe(0);
    expect(await countVariants(fresh)).toBe(1);
    expect(await countVariants(used)).toBe(1);
    for (const key of [fresh, stale, used]) expect(await env.ORIGINALS.head(key)).not.toBeNull();
    expect(await env.VARIANTS.head(':edgepix/jobs/failed/kept')).not.toBeNull();
  });
});

describe('GET /api/v1/variants', () => {
  it("lists an original's variants with their bytes; needs ?original=", async () => {
    const { key } = await storedPhoto();
    expect((await img('width=64', key)).status).toBe(200);
    const listed = await (await api(`/variants?original=${encodeURIComponent(key)}`)).json<{ variants: Record<string, unknown>[] }>();
    expect(listed.variants).toEqual([expect.objectContaining({ contentType: 'image/jpeg', bytes: expect.any(Number), accessed: day(0) })]);
    const missing = await api('/variants');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ detail: expect.stringContaining('?original=<key> is required') });
  });
});
