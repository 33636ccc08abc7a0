/** `/cdn-cgi/image/<options>/<source>`: Cloudflare Images' own URLs, served exactly like `/img/`. */
import { describe, expect, it } from 'vitest';
import { signUrl } from '../sdk/sign.js';
import { encodeKey, expectProblem, fixture, putFixture, request, uniqueKey } from './helpers';
import { env } from 'cloudflare:test';

describe('/cdn-cgi/image/', () => {
  it('gives the same bytes, headers and variant as /img/', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const viaImg = await request(`/img/width=80,format=webp/${encodeKey(key)}`);
    const viaCdnCgi = await request(`/cdn-cgi/image/width=80,format=webp/${encodeKey(key)}`);
    expect(viaCdnCgi.status).toBe(200);
    expect(viaCdnCgi.headers.get('ETag')).toBe(viaImg.headers.get('ETag'));
    expect(viaCdnCgi.headers.get('X-Edgepix-Cache')).toBe('edge');
    expect(new Uint8Array(await viaCdnCgi.arrayBuffer())).toEqual(new Uint8Array(await viaImg.arrayBuffer()));
  });

  it('follows the same signing rules', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const vars = { ALLOW_UNSIGNED: 'false', SIGNING_KEYS: 'k1:cdn-cgi-test-secret' };
    const path = `/cdn-cgi/image/width=40/${encodeKey(key)}`;
    await expectProblem(await request(path, undefined, vars), 403);
    const signed = await signUrl(path, { key: 'cdn-cgi-test-secret', kid: 'k1', expiresIn: 600 });
    expect((await request(signed, undefined, vars)).status).toBe(200);
  });

  it('an absolute source URL is served only when an http origin of ORIGINS covers it', async () => {
    const name = uniqueKey('by-url.jpg');
    const put = await fetch(`${env.TEST_ORIGIN_CONTROL}http/${encodeKey(name)}`, { method: 'PUT', body: await fixture('formats/320x240.jpg') });
    expect(put.ok).toBe(true);
    const vars = { ORIGINS: JSON.stringify([{ prefix: 'web/', type: 'http', base: env.TEST_HTTP_ORIGIN, allowInsecure: true }]) };
    const covered = await request(`/cdn-cgi/image/width=30/${env.TEST_HTTP_ORIGIN}${encodeKey(name)}`, undefined, vars);
    expect(covered.status).toBe(200);
    const same = await request(`/img/width=30/web/${encodeKey(name)}`, undefined, vars);
    expect(same.headers.get('ETag')).toBe(covered.headers.get('ETag'));
    await expectProblem(await request('/cdn-cgi/image/width=30/https://elsewhere.example/a.jpg', undefined, vars), 400, /Remote sources are not supported/);
    await expectProblem(await request('/cdn-cgi/image/width=30/https%3A%2F%2Felsewhere.example%2Fa.jpg', undefined, vars), 400, /Remote sources/);
  });
});
