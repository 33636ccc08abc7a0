/** Guards against abuse: presets-only mode, query strings, and the per-original variant cap. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countVariants, encodeKey, expectProblem, img, putFixture, request } from './helpers';

describe('PRESETS_ONLY', () => {
  it('also refuses Thumbor URLs, which spell out any transformation', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const vars = { PRESETS_ONLY: 'true', THUMBOR_ALLOW_UNSAFE: 'true' };
    await expectProblem(await request(`/thumbor/unsafe/50x50/${encodeKey(key)}`, undefined, vars), 403, /PRESETS_ONLY/);
    expect((await img('thumb', key, undefined, vars)).status).toBe(200);
  });
});

describe('secure headers', () => {
  it('every kind of answer carries nosniff and no framing', async () => {
    const key = await putFixture('formats/320x240.jpg');
    for (const response of [await img('width=20', key), await request('/img/width=abc/x.jpg'), await request('/no/such/route'), await request('/healthz'), await request('/api/v1/images')]) {
      expect(response.headers.get('X-Content-Type-Options'), response.url).toBe('nosniff');
      expect(response.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
      await response.arrayBuffer();
    }
  });
});

describe('query strings', () => {
  it('are ignored: never part of a variant or cache key, so they cannot mint variants or poison caches', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const first = await request(`/img/width=70/${encodeKey(key)}?a=1`);
    const second = await request(`/img/width=70/${encodeKey(key)}?a=2&cb=${Math.random()}`);
    expect(first.headers.get('X-Edgepix-Cache')).toBe('miss');
    expect(second.headers.get('X-Edgepix-Cache')).toBe('edge');
    expect(await countVariants(key)).toBe(1);
  });
});

describe('MAX_VARIANTS_PER_ORIGINAL', () => {
  it('refuses a new variant past the cap, and keeps serving the ones made', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const vars = { MAX_VARIANTS_PER_ORIGINAL: '2' };
    expect((await img('width=10', key, undefined, vars)).status).toBe(200);
    expect((await img('width=11', key, undefined, vars)).status).toBe(200);
    await expectProblem(await img('width=12', key, undefined, vars), 403, /MAX_VARIANTS_PER_ORIGINAL/);
    expect((await img('width=10', key, undefined, vars)).status).toBe(200);
    expect(await countVariants(key)).toBe(2);
  });
});

describe('TRANSFORM_TIME_LIMIT', () => {
  afterEach(() => vi.restoreAllMocks());

  it('stops a transform whose bands run past the limit: 503 with Retry-After, and the isolate keeps serving', async () => {
    const key = await putFixture('derived/progressive.jpg');
    // Every reading of the clock is 0.4 s later than the last, as if each band took that long.
    let now = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => (now += 400));
    const response = await img('width=300', key, undefined, { TRANSFORM_TIME_LIMIT: '1' });
    await expectProblem(response.clone(), 503, /TRANSFORM_TIME_LIMIT/);
    expect(response.headers.get('Retry-After')).toBe('5');
    vi.restoreAllMocks();
    expect((await img('width=300', key)).status).toBe(200);
    expect(await countVariants(key)).toBe(1);
  });
});
