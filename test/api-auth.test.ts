import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, api, countObjects, expectProblem, fixture, request, uniqueKey, uploadForm } from './helpers';

const path = (key: string) => key.split('/').map(encodeURIComponent).join('/');

describe('admin token', () => {
  const routes: [string, string][] = [
    ['GET', '/images'],
    ['GET', '/images/a.jpg'],
    ['POST', '/images'],
    ['PUT', '/images/a.jpg'],
    ['DELETE', '/images/a.jpg'],
    ['POST', '/upload-tokens'],
    ['POST', '/sign'],
  ];

  it.each(routes)('%s %s: 401 without a token, with a wrong one, or with another scheme', async (method, route) => {
    for (const authorization of [undefined, `Bearer ${ADMIN_TOKEN}x`, 'Bearer wrong', `Basic ${btoa('a:b')}`, 'Bearer']) {
      const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
      const response = await request(`/api/v1${route}`, { method, headers }, { ADMIN_TOKEN });
      const body = await expectProblem(response, 401);
      expect(body.type).toMatch(/#problem-unauthorized$/);
    }
  });

  it('names the scheme in WWW-Authenticate and stores nothing', async () => {
    const key = uniqueKey('denied.jpg');
    const response = await api(`/images/${path(key)}`, { method: 'PUT', body: await fixture('formats/320x240.jpg') }, {}, 'nope-nope-nope-nope');
    await expectProblem(response, 401);
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    expect(await env.ORIGINALS.head(key)).toBeNull();
  });

  it('fails closed with 500 misconfigured when ADMIN_TOKEN is unset or short', async () => {
    await expectProblem(await api('/images', {}, { ADMIN_TOKEN: '' }, 'anything-at-all-123'), 500, /ADMIN_TOKEN/);
    await expectProblem(await api('/images', {}, { ADMIN_TOKEN: 'short' }, 'short'), 500, /ADMIN_TOKEN/);
  });

  it('the OpenAPI document needs no token', async () => {
    expect((await request('/api/v1/openapi.json')).status).toBe(200);
  });
});

interface TokenReply {
  token: string;
  expiresAt: string;
  upload: { method: string; url: string };
}

async function issue(body: object): Promise<TokenReply> {
  const response = await api('/upload-tokens', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json();
}

const withToken = (token: string, route: string, init: RequestInit) => api(route, init, {}, token);

describe('upload tokens', () => {
  it('scoped to a key: uploads once to that key, then is spent', async () => {
    const key = uniqueKey('avatar.png');
    const { token, upload, expiresAt } = await issue({ key, expiresIn: 60 });
    expect(token).toMatch(/^ept_[A-Za-z0-9_-]{43}$/);
    expect(upload).toEqual({ method: 'PUT', url: `http://localhost/api/v1/images/${path(key)}` });
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(50_000);

    const bytes = await fixture('formats/with-alpha.png');
    await expectProblem(await withToken(token, `/images/${path(uniqueKey('other.png'))}`, { method: 'PUT', body: bytes }), 403, /only allows the key/);
    const first = await withToken(token, `/images/${path(key)}`, { method: 'PUT', body: bytes });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ key, format: 'png' });
    await expectProblem(await withToken(token, `/images/${path(key)}`, { method: 'PUT', body: bytes, }), 401, /already been used/);
  });

  it('scoped to a prefix: content-addressed under it; other prefixes and keys are refused', async () => {
    const prefix = uniqueKey('user-42');
    const { token, upload } = await issue({ prefix });
    expect(upload).toEqual({ method: 'POST', url: 'http://localhost/api/v1/images', field: 'file' });
    const file = (): [string, Uint8Array] => ['me.jpg', bytes];
    const bytes = await fixture('formats/320x240.jpg');
    const post = (fields: Record<string, string>) => withToken(token, '/images', { method: 'POST', body: uploadForm([file()], fields) });
    await expectProblem(await post({ prefix: 'elsewhere' }), 403, /only allows keys under/);
    await expectProblem(await post({ key: 'elsewhere/me.jpg' }), 403);
    await expectProblem(await post({ prefix: `${prefix}-evil` }), 403);
    await expectProblem(await withToken(token, '/images', { method: 'POST', body: uploadForm([file(), file()]) }), 403, /exactly one file/);
    await expectProblem(await post({ overwrite: 'true' }), 403, /overwrite/);
    const response = await post({});
    expect(response.status).toBe(201);
    const { results } = await response.json<{ results: { key: string }[] }>();
    expect(results[0]!.key).toMatch(new RegExp(`^${prefix}/[0-9a-f]{64}\\.jpg$`));
    expect(await countObjects(env.ORIGINALS, `${prefix}/`)).toBe(1);
  });

  it('enforces allowed types and max bytes without spending the token', async () => {
    const key = uniqueKey('typed.png');
    const { token } = await issue({ key, types: ['png'], maxBytes: 1400 });
    const put = (body: Uint8Array) => withToken(token, `/images/${path(key)}`, { method: 'PUT', body });
    await expectProblem(await put(await fixture('formats/320x240.jpg')), 413, /maxBytes/); // 6 KB over 1400 by Content-Length
    await expectProblem(await put((await fixture('formats/4.webp')).slice(0, 1200)), 415, /allows png/);
    expect(await env.ORIGINALS.head(key)).toBeNull();
    expect((await put(await fixture('formats/with-alpha.png'))).status).toBe(201);
  });

  it('expires', async () => {
    const key = uniqueKey('late.png');
    const { token } = await issue({ key, expiresIn: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expectProblem(await withToken(token, `/images/${path(key)}`, { method: 'PUT', body: await fixture('formats/with-alpha.png') }), 401, /expired/);
  });

  it('concurrent uses: exactly one upload succeeds', async () => {
    const prefix = uniqueKey('race');
    const { token } = await issue({ prefix });
    const files = ['formats/with-alpha.png', 'formats/320x240.jpg', 'formats/p3.png'];
    const responses = await Promise.all(
      files.map(async (f) => withToken(token, '/images', { method: 'POST', body: uploadForm([['f', await fixture(f)]]) })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 401, 401]);
    expect(await countObjects(env.ORIGINALS, `${prefix}/`)).toBe(1);
  });

  it('opens nothing but uploads', async () => {
    const { token } = await issue({ prefix: uniqueKey('scope') });
    await expectProblem(await withToken(token, '/images', {}), 401);
    await expectProblem(await withToken(token, '/images/a.jpg', { method: 'DELETE' }), 401);
    await expectProblem(await withToken(token, '/upload-tokens', { method: 'POST', body: '{"prefix":"x"}' }), 401);
    await expectProblem(await withToken(token.slice(0, -2) + 'xx', '/images', { method: 'POST', body: uploadForm([['a', 'b']]) }), 401, /Unknown/);
  });

  it.each([
    [{ key: 'a.jpg', prefix: 'b' }, /exactly one of key or prefix/],
    [{}, /exactly one of key or prefix/],
    [{ prefix: 'p', maxBytes: 10 ** 12 }, /maxBytes/],
    [{ prefix: 'p', expiresIn: 7200 }, /expiresIn/],
    [{ prefix: 'p', types: ['bmp'] }, /types/],
    [{ prefix: 'p', extra: 1 }, /extra/],
    [{ key: 'a/../b.jpg' }, /segment/],
  ])('refuses the request %j', async (body, detail) => {
    const response = await api('/upload-tokens', { method: 'POST', body: JSON.stringify(body) });
    await expectProblem(response, 400, detail);
  });

  it('refuses a body that is not JSON', async () => {
    await expectProblem(await api('/upload-tokens', { method: 'POST', body: 'prefix=x' }), 400, /JSON/);
  });
});
