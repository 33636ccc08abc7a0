import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { purgeVariants } from '../src/storage/purge';
import { variantPrefix } from '../src/storage/variants';
import { api, countVariants, expectProblem, fixture, img, uniqueKey } from './helpers';

const path = (key: string) => key.split('/').map(encodeURIComponent).join('/');
const remove = (key: string) => api(`/images/${path(key)}`, { method: 'DELETE' });

async function uploaded(name: string): Promise<string> {
  const key = uniqueKey(name);
  const response = await api(`/images/${path(key)}`, { method: 'PUT', body: await fixture('formats/320x240.jpg') });
  expect(response.status).toBe(201);
  return key;
}

describe('DELETE /images/<key>', () => {
  it('removes the original and every variant; the next request is 404 although the edge cache still holds a copy', async () => {
    const key = await uploaded('cat.jpg');
    for (const options of ['width=100', 'width=50,format=webp', 'thumb']) expect((await img(options, key)).status).toBe(200);
    const cached = await img('width=100', key);
    expect(cached.headers.get('X-Edgepix-Cache')).toBe('edge');
    const variantKeys = (await env.VARIANTS.list({ prefix: variantPrefix(key) })).objects.map((o) => o.key);
    expect(variantKeys).toHaveLength(3);

    const response = await remove(key);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ key, deleted: true, variantsRemoved: 3 });
    expect(await env.ORIGINALS.head(key)).toBeNull();
    expect(await countVariants(key)).toBe(0);

    // The Cache API has no purge-by-prefix; the copies are still there, and never served.
    const edgeCopies = await Promise.all(variantKeys.map((k) => caches.default.match(`http://localhost/__edgepix/variants/${k}`)));
    expect(edgeCopies.filter(Boolean).length).toBeGreaterThan(0);
    await expectProblem(await img('width=100', key), 404, /No original/);
    await expectProblem(await img('thumb', key), 404);
  });

  it('pages through more variants than one list call returns', async () => {
    // A small page stands in for R2's 1000: the same loop, without thousands of local R2 writes.
    const key = await uploaded('many.jpg');
    const prefix = variantPrefix(key);
    await Promise.all(Array.from({ length: 25 }, (_, i) => env.VARIANTS.put(`${prefix}etag/w=${i}.jpg`, 'x')));
    expect(await purgeVariants(env.VARIANTS, key, 10)).toBe(25);
    expect(await countVariants(key)).toBe(0);
  });

  it("leaves the variants of a key that merely starts with the same text", async () => {
    const key = await uploaded('a.jpg');
    const sibling = `${key}2`;
    expect((await api(`/images/${path(sibling)}`, { method: 'PUT', body: await fixture('formats/320x240.jpg') })).status).toBe(201);
    expect((await img('width=60', key)).status).toBe(200);
    expect((await img('width=60', sibling)).status).toBe(200);
    expect(await (await remove(key)).json()).toMatchObject({ variantsRemoved: 1 });
    expect(await countVariants(sibling)).toBe(1);
    expect((await img('width=60', sibling)).status).toBe(200);
  });

  it('404 for a missing original, 400 for a bad key', async () => {
    await expectProblem(await remove(uniqueKey('gone.jpg')), 404);
    await expectProblem(await api('/images/a%2F%2E%2E%2Fb.jpg', { method: 'DELETE' }), 400);
  });

  it('a re-upload at the deleted key is served fresh', async () => {
    const key = await uploaded('again.jpg');
    expect((await img('width=100', key)).status).toBe(200);
    await remove(key);
    const png = await fixture('formats/with-alpha.png');
    expect((await api(`/images/${path(key)}`, { method: 'PUT', body: png })).status).toBe(201);
    const response = await img('width=100', key);
    expect(response.headers.get('X-Edgepix-Cache')).toBe('miss');
    expect(response.headers.get('Content-Type')).toBe('image/png');
  });
});
