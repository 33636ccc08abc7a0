/**
 * Storage and cache faults, injected into the real local R2 buckets and
 * Cache API (delegating wrappers, not mocks): each is answered as the README
 * says, and nothing stored is ever half-written.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { ADMIN_TOKEN, countObjects, encodeKey, expectProblem, fixture, putFixture, uniqueKey, uploadForm } from './helpers';

/** The real bucket, except that `method` fails from its `after`-th call on (0: every call). */
function failing(bucket: R2Bucket, method: keyof R2Bucket, after = 0): R2Bucket {
  let calls = 0;
  return new Proxy(bucket, {
    get(target, name) {
      const value = Reflect.get(target, name);
      if (name !== method) return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => (calls++ >= after ? Promise.reject(new Error('R2 internal error at /srv/r2/shard-7')) : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}

async function fetchWith(path: string, bindings: Partial<typeof env>, init?: RequestInit) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://localhost${path}`, init), { ...env, ADMIN_TOKEN, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const quiet = () => vi.spyOn(console, 'error').mockImplementation(() => undefined);

describe('storage faults', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a failed original read is 503 with Retry-After, naming no internals', async () => {
    quiet();
    const key = await putFixture('formats/320x240.jpg');
    const response = await fetchWith(`/img/width=50/${encodeKey(key)}`, { ORIGINALS: failing(env.ORIGINALS, 'get') });
    await expectProblem(response.clone(), 503, /Storage did not answer/);
    expect(response.headers.get('Retry-After')).toBe('2');
    expect(await response.text()).not.toMatch(/shard|\/srv/);
  });

  it('a failed variant write-back still serves the image and leaves no object', async () => {
    quiet();
    const key = await putFixture('formats/320x240.jpg');
    const response = await fetchWith(`/img/width=52/${encodeKey(key)}`, { VARIANTS: failing(env.VARIANTS, 'put') });
    expect(response.status).toBe(200);
    expect(await countObjects(env.VARIANTS, `${encodeURIComponent(key)}/`)).toBe(0);
  });

  it('a failed variant read falls through to a transform', async () => {
    quiet();
    const key = await putFixture('formats/320x240.jpg');
    const response = await fetchWith(`/img/width=53/${encodeKey(key)}`, { VARIANTS: failing(env.VARIANTS, 'get') });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Edgepix-Cache')).toBe('miss');
  });

  it('a failing Cache API falls through to the R2 variant', async () => {
    quiet();
    const key = await putFixture('formats/320x240.jpg');
    expect((await fetchWith(`/img/width=54/${encodeKey(key)}`, {})).status).toBe(200);
    vi.spyOn(caches.default, 'match').mockRejectedValue(new Error('cache down'));
    const response = await fetchWith(`/img/width=54/${encodeKey(key)}`, {});
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Edgepix-Cache')).toBe('variant');
  });

  it('an upload whose write fails is 503 and leaves nothing; in a batch, the others land whole', async () => {
    quiet();
    const prefix = uniqueKey('batch').replace(/\/batch$/, '');
    const one = await fetchWith(`/api/v1/images/${prefix}/one.jpg`, { ORIGINALS: failing(env.ORIGINALS, 'put') }, {
      method: 'PUT', body: await fixture('formats/320x240.jpg'), headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    await expectProblem(one, 503);
    expect(await countObjects(env.ORIGINALS, `${prefix}/`)).toBe(0);
    const form = uploadForm([['a.jpg', await fixture('formats/320x240.jpg')], ['b.jpg', await fixture('derived/progressive.jpg')]], { prefix });
    const batch = await fetchWith('/api/v1/images', { ORIGINALS: failing(env.ORIGINALS, 'put', 1) }, {
      method: 'POST', body: form, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(batch.status).toBe(207);
    const { results } = (await batch.json()) as { results: { key?: string; error?: { status: number } }[] };
    expect(results.map((r) => r.error?.status ?? 201)).toEqual([201, 503]);
    const listed = await env.ORIGINALS.list({ prefix: `${prefix}/` });
    expect(listed.objects.map((o) => o.key)).toEqual([results[0]!.key]);
    expect(listed.objects[0]!.size).toBe((await fixture('formats/320x240.jpg')).length);
  });
});
