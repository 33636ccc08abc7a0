/** Unexpected failures reach the log with their cause, and never the client. */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { putFixture } from './helpers';

/** The real local bucket, except that `method` throws. */
const failing = (bucket: R2Bucket, method: keyof R2Bucket, error: Error) =>
  new Proxy(bucket, {
    get(target, name) {
      if (name === method) return () => Promise.reject(error);
      const value = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

async function fetchWith(path: string, bindings: Partial<typeof env>) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://localhost${path}`), { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const logged = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.map(([line]) => JSON.parse(String(line)));

describe('logs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('an unexpected error is a bare 500 for the client and a log line with its cause', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const key = await putFixture('formats/320x240.jpg');
    // A bucket answering with something that is not an R2 object: a bug's kind of failure, not an outage.
    const garbled = new Proxy(env.ORIGINALS, { get: (target, name) => (name === 'get' ? async () => ({ body: 'x', etag: '/internal/path' }) : Reflect.get(target, name)) });
    const response = await fetchWith(`/img/width=50/${key}`, { ORIGINALS: garbled });
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).not.toContain('arrayBuffer');
    expect(body).not.toContain('/internal/path');
    expect(logged(spy)).toEqual([
      expect.objectContaining({ level: 'error', event: 'unexpected-error', method: 'GET', path: `/img/width=50/${key}`, error: 'TypeError' }),
    ]);
  });

  it('each request is one JSON line with its route, tier, formats, bytes, stages and status, and no query string', async () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const key = await putFixture('formats/320x240.jpg');
    await fetchWith(`/img/width=60,format=webp/${key}?utm_source=secret-value`, {});
    await fetchWith(`/img/width=60,format=webp/${key}`, {});
    await fetchWith('/img/width=abc/x.jpg', {});
    const lines = logged(spy);
    expect(lines).toEqual([
      expect.objectContaining({
        event: 'request', route: '/img', dialect: 'cloudflare', path: `/img/width=60,format=webp/${key}`, status: 200, tier: 'miss',
        inputFormat: 'jpeg', inputMegapixels: 0.08, outputFormat: 'image/webp', outputBytes: expect.any(Number),
        stages: expect.objectContaining({ origin: expect.any(Number), decode: expect.any(Number) }),
      }),
      expect.objectContaining({ status: 200, tier: 'edge' }),
      expect.objectContaining({ status: 400, errorClass: 'invalid-options' }),
    ]);
    expect(JSON.stringify(lines)).not.toContain("secret-value");
  });

  it('a failed variant write-back still serves the image, and is logged', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const key = await putFixture('formats/320x240.jpg');
    const response = await fetchWith(`/img/width=51/${key}`, { VARIANTS: failing(env.VARIANTS, 'put', new Error('put refused')) });
    expect(response.status).toBe(200);
    expect(logged(spy)).toEqual([expect.objectContaining({ event: 'variant-write-failed', message: 'put refused' })]);
  });
});
