import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, countVariants, decodeResponse, encodeKey, expectProblem, fixture, img, putFixture, putOriginal, request, uniqueKey } from './helpers';

describe('tiers: transform, then R2 variant, then edge cache', () => {
  it('serves miss → hit, storing one variant with its metadata', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const first = await img('width=100,format=webp', key);
    expect(first.headers.get('X-Edgepix-Cache')).toBe('miss');
    const timing = first.headers.get('Server-Timing') ?? '';
    for (const stage of ['origin', 'read', 'decode', 'encode', 'cache;desc="miss"']) expect(timing).toContain(stage);
    const body = new Uint8Array(await first.arrayBuffer());

    const listed = await env.VARIANTS.list({ prefix: `${encodeURIComponent(key)}/`, include: ['httpMetadata', 'customMetadata'] });
    expect(listed.objects).toHaveLength(1);
    const stored = listed.objects[0]!;
    expect(stored.size).toBe(body.length);
    expect(stored.httpMetadata?.contentType).toBe('image/webp');
    expect(stored.customMetadata?.etag).toBe(first.headers.get('ETag'));
    expect(stored.customMetadata?.original).toBe(key);

    const second = await img('width=100,format=webp', key);
    expect(second.headers.get('X-Edgepix-Cache')).toBe('edge');
    expect(second.headers.get('Server-Timing')).toContain('cache;desc="edge"');
    expect(second.headers.get('ETag')).toBe(first.headers.get('ETag'));
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(body);
  });

  it('serves from the R2 variant when the edge cache has nothing', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const first = await img('width=90', key);
    const etag = first.headers.get('ETag');
    // Drop the edge copy; the variant must come from R2, not a new transform.
    const listed = await env.VARIANTS.list({ prefix: `${encodeURIComponent(key)}/` });
    const variantKey = listed.objects[0]!.key;
    expect(await caches.default.delete(`http://localhost/__edgepix/variants/${variantKey}`)).toBe(true);
    const second = await img('width=90', key);
    expect(second.headers.get('X-Edgepix-Cache')).toBe('variant');
    expect(second.headers.get('ETag')).toBe(etag);
    const image = await decodeResponse(second);
    expect(image.width).toBe(90);
  });

  it('sets long-lived caching headers', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const response = await img('width=50', key);
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    const uploaded = (await env.ORIGINALS.head(key))!.uploaded;
    expect(response.headers.get('Last-Modified')).toBe(uploaded.toUTCString());
    expect(response.headers.get('ETag')).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('Cache-Control is configurable', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const response = await img('width=51', key, undefined, { VARIANT_CACHE_CONTROL: 'public, max-age=60' });
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=60');
  });
});

describe('canonical form', () => {
  it('option order, aliases and dpr spellings share one variant and one cache entry', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const spellings = [
      'width=200,height=100,fit=cover,quality=70,format=webp',
      'f=webp,q=70,fit=cover,h=100,w=200',
      'width=100,height=50,dpr=2,fit=cover,q=70,format=webp,gravity=center',
    ];
    const tiers: string[] = [];
    for (const options of spellings) tiers.push((await img(options, key)).headers.get('X-Edgepix-Cache')!);
    expect(tiers).toEqual(['miss', 'edge', 'edge']);
    expect(await countVariants(key)).toBe(1);
  });

  it('format=auto resolved to webp shares the variant of format=webp', async () => {
    const key = await putFixture('formats/320x240.jpg');
    await img('width=120,format=webp', key);
    const auto = await img('width=120,format=auto', key, { headers: { Accept: 'image/webp' } });
    expect(auto.headers.get('X-Edgepix-Cache')).toBe('edge');
    expect(await countVariants(key)).toBe(1);
  });

  it('different transformations are different variants', async () => {
    const key = await putFixture('formats/320x240.jpg');
    await img('width=120', key);
    await img('width=121', key);
    expect(await countVariants(key)).toBe(2);
  });
});

describe('replacing an original', () => {
  const landscape = () => fixture('orientation/Landscape_1.jpg');
  const portrait = () => fixture('orientation/Portrait_1.jpg');
  const sides = async (response: Response) => {
    const { width, height } = await decodeResponse(response);
    return [width, height];
  };

  it('never serves the old variant again when every request asks R2 (ORIGINAL_LOOKUP_TTL=0)', async () => {
    const checkEveryTime = { ORIGINAL_LOOKUP_TTL: '0' };
    const key = uniqueKey('swap.jpg');
    await putOriginal(key, await landscape());
    expect(await sides(await img('width=60', key, undefined, checkEveryTime))).toEqual([60, 40]);

    await putOriginal(key, await portrait());
    const response = await img('width=60', key, undefined, checkEveryTime);
    expect(response.headers.get('X-Edgepix-Cache')).toBe('miss');
    expect(await sides(response)).toEqual([60, 90]);
    expect(await countVariants(key)).toBe(2);
  });

  it('a cache hit within the lookup TTL needs no R2 call, so a write elsewhere shows after the TTL', async () => {
    const key = uniqueKey('remembered.jpg');
    await putOriginal(key, await landscape());
    expect(await sides(await img('width=60', key))).toEqual([60, 40]);

    await env.ORIGINALS.delete(key); // as another isolate would: this one still trusts its lookup
    const hit = await img('width=60', key);
    expect(hit.headers.get('X-Edgepix-Cache')).toBe('edge');
    expect(await sides(hit)).toEqual([60, 40]);
    await expectProblem(await img('width=60', key, undefined, { ORIGINAL_LOOKUP_TTL: '0' }), 404);
  });

  it('a write through the API shows at once, and a stale lookup on a miss retries with a fresh one', async () => {
    const key = uniqueKey('rewritten.jpg');
    await putOriginal(key, await landscape());
    expect(await sides(await img('width=60', key))).toEqual([60, 40]);

    const put = await api(`/images/${encodeKey(key)}?overwrite=true`, { method: 'PUT', body: await portrait() });
    expect(put.status).toBe(201);
    const afterApi = await img('width=60', key);
    expect(afterApi.headers.get('X-Edgepix-Cache')).toBe('miss');
    expect(await sides(afterApi)).toEqual([60, 90]);

    await putOriginal(key, await landscape()); // behind this isolate's back
    const otherSize = await img('width=61', key); // no variant under the remembered ETag: the read finds it changed
    expect(otherSize.status).toBe(200);
    expect(await sides(otherSize)).toEqual([61, 41]);
  });

  it('a variant is only ever stored under the ETag of the bytes it was made from, though the original changed between lookup and read', async () => {
    const key = uniqueKey('pinned.jpg');
    await putOriginal(key, await landscape());
    const landscapeEtag = (await env.ORIGINALS.head(key))!.etag;
    expect(await sides(await img('width=60', key))).toEqual([60, 40]); // this isolate now remembers the landscape's ETag

    await putOriginal(key, await portrait()); // behind its back, within ORIGINAL_LOOKUP_TTL
    const portraitEtag = (await env.ORIGINALS.head(key))!.etag;
    // A miss: the read is pinned to the remembered ETag, finds the original changed, and starts over from a
    // fresh lookup. Unpinned, it would make the portrait's variant and file it under the landscape's ETag.
    expect(await sides(await img('width=62', key))).toEqual([62, 93]);
    const stored = await env.VARIANTS.list({ prefix: `${encodeURIComponent(key)}/` });
    const under = (etag: string) => stored.objects.filter((o) => o.key.includes(`/${etag}/`)).map((o) => o.key.split('/').pop());
    expect(under(landscapeEtag)).toEqual(['w=60,f=jpeg.jpg']);
    expect(under(portraitEtag)).toEqual(['w=62,f=jpeg.jpg']);

    // What a misfiled variant would do: once the landscape is back (same bytes, same ETag), serve it as a portrait.
    await putOriginal(key, await landscape());
    expect((await env.ORIGINALS.head(key))!.etag).toBe(landscapeEtag);
    expect(await sides(await img('width=62', key, undefined, { ORIGINAL_LOOKUP_TTL: '0' }))).toEqual([62, 41]);
  });

  it('refuses a lookup TTL that is not a whole number of seconds as misconfigured', async () => {
    await expectProblem(await img('width=60', 'any.jpg', undefined, { ORIGINAL_LOOKUP_TTL: '-1' }), 500, /ORIGINAL_LOOKUP_TTL: must be a whole number/);
  });
});

describe('conditional and HEAD requests', () => {
  it('answers If-None-Match with 304 on miss and hit alike', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const etag = (await img('width=70', key)).headers.get('ETag')!;
    const fresh = await putFixture('formats/320x240.jpg');
    const missEtag = (await img('width=70', fresh, { method: 'HEAD' })).headers.get('ETag')!;
    expect(missEtag).toBe(etag); // same bytes in, same bytes out: the strong ETag is a digest of the output
    for (const k of [key, fresh]) {
      const response = await img('width=70', k, { headers: { 'If-None-Match': etag } });
      expect(response.status).toBe(304);
      expect(response.headers.get('ETag')).toBe(etag);
      expect(response.headers.get('Cache-Control')).toContain('max-age');
      expect(await response.text()).toBe('');
    }
    const stale = await img('width=70', key, { headers: { 'If-None-Match': '"nope"' } });
    expect(stale.status).toBe(200);
  });

  it('HEAD returns the headers without a body', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const response = await img('width=80,format=png', key, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/png');
    expect(Number(response.headers.get('Content-Length'))).toBeGreaterThan(100);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('keys', () => {
  it('accepts percent-encoded keys with slashes, spaces and Unicode', async () => {
    const key = uniqueKey('dir/sub dir/café №1.jpg');
    await putOriginal(key, await fixture('formats/320x240.jpg'));
    const image = await decodeResponse(await img('width=32', key));
    expect(image.width).toBe(32);
  });
});

it('GET /healthz reports ready', async () => {
  const response = await request('/healthz');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
});

describe('admission: one transform at a time per isolate', () => {
  const RACHEL = 'photos/rachel-hisko-rEM3cK8F1pk-unsplash.jpg';

  it('identical concurrent misses share one transform and get the same bytes', async () => {
    const key = await putFixture(RACHEL);
    const responses = await Promise.all(Array.from({ length: 5 }, () => img('width=300,format=webp', key)));
    const bodies = await Promise.all(responses.map(async (r) => new Uint8Array(await r.arrayBuffer())));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const decodes = responses.filter((r) => r.headers.get('Server-Timing')?.includes('decode;'));
    expect(decodes).toHaveLength(1);
    expect(responses.filter((r) => r.headers.get('Server-Timing')?.includes('coalesced'))).toHaveLength(4);
    for (const body of bodies) expect(body).toEqual(bodies[0]);
    expect(await countVariants(key)).toBe(1);
  });

  it('refuses a transform whose expected wait passes TRANSFORM_QUEUE_DEADLINE with 503 busy and Retry-After', async () => {
    const key = await putFixture(RACHEL);
    const vars = { TRANSFORM_QUEUE_DEADLINE: '0' };
    const [first, second] = await Promise.all([img('width=301', key, undefined, vars), img('width=302', key, undefined, vars)]);
    const statuses = [first!.status, second!.status].sort();
    expect(statuses).toEqual([200, 503]);
    const refused = first!.status === 503 ? first! : second!;
    expect(refused.headers.get('Retry-After')).toBe('1');
    expect(((await refused.json()) as { type: string }).type).toMatch(/problem-busy$/);
  });
});
