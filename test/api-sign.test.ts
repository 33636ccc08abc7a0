import { describe, expect, it } from 'vitest';
import table from './thumbor/cases.json';
import libthumbor from './thumbor/libthumbor-urls.json';
import { ADMIN_TOKEN, api, expectProblem, fixture, putOriginal, request, uniqueKey, encodeKey } from './helpers';

const SIGNING = { SIGNING_KEYS: 'k1:first-secret-0123456789abcdef,k0:older-secret-0123456789abcdef', ALLOW_UNSIGNED: 'false' };

const sign = (body: unknown, vars: Record<string, string> = SIGNING, token?: string) =>
  api('/sign', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, vars, token);

async function storedPhoto() {
  return putOriginal(uniqueKey('signed.jpg'), await fixture('formats/320x240.jpg'));
}

describe('POST /api/v1/sign', () => {
  it('signs a path with the first key; the URL it gives is served by /img until it expires', async () => {
    const key = await storedPhoto();
    const path = `/img/width=100/${encodeKey(key)}`;
    const before = Math.floor(Date.now() / 1000);
    const response = await sign({ path, expiresIn: 600 });
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const body = await response.json<{ url: string; path: string; expiresAt: string }>();
    const url = new URL(body.url);
    expect(url.origin).toBe('http://localhost');
    expect(`${url.pathname}${url.search}`).toBe(body.path);
    expect(url.pathname).toBe(path);
    expect(url.searchParams.get('kid')).toBe('k1');
    const exp = Number(url.searchParams.get('exp'));
    expect(exp - before).toBeGreaterThanOrEqual(600);
    expect(exp - before).toBeLessThanOrEqual(601);
    expect(new Date(body.expiresAt).getTime()).toBe(exp * 1000);

    const image = await request(body.path, {}, SIGNING);
    expect(image.status).toBe(200);
    expect(image.headers.get('Content-Type')).toBe('image/jpeg');
    expect((await request(path, {}, SIGNING)).status).toBe(403); // unsigned, with ALLOW_UNSIGNED=false
  });

  it('a tampered signed URL is refused by /img', async () => {
    const key = await storedPhoto();
    const { path } = await (await sign({ path: `/img/width=100/${encodeKey(key)}`, expiresIn: 600 })).json<{ path: string }>();
    const tampered = [
      path.replace('width=100', 'width=101'),
      path.replace(/exp=(\d+)/, (_, exp: string) => `exp=${Number(exp) + 1}`),
      path.replace(/sig=(.)/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`),
    ];
    for (const url of tampered) await expectProblem(await request(url, {}, SIGNING), 403, /signature/);
  });

  it('defaults expiresIn to SIGNED_URL_TTL', async () => {
    const body = await (await sign({ path: '/img/width=10/a.jpg' }, { ...SIGNING, SIGNED_URL_TTL: '120' })).json<{ path: string }>();
    const exp = Number(new URL(body.path, 'http://x').searchParams.get('exp'));
    expect(exp - Date.now() / 1000).toBeGreaterThan(115);
    expect(exp - Date.now() / 1000).toBeLessThanOrEqual(121);
  });

  it.each([
    [{ path: 'https://evil.example/img/width=1/a.jpg' }, /path/],
    [{ path: '/thumbor/1x1/a.jpg' }, /path/],
    [{ path: '/thumbor/unsafe/' }, /path/],
    [{ path: '/other/width=1/a.jpg' }, /path/],
    [{ path: '/img/width=1/a.jpg?x=1' }, /path/],
    [{ path: '/img/a.jpg' }, /path/],
    [{ path: 42 }, /path/],
    [{}, /path/],
    [{ path: '/img/width=1/a.jpg', expiresIn: 0 }, /expiresIn: .*positive/],
    [{ path: '/img/width=1/a.jpg', expiresIn: -5 }, /expiresIn: .*positive/],
    [{ path: '/img/width=1/a.jpg', expiresIn: 1.5 }, /expiresIn/],
    [{ path: '/img/width=1/a.jpg', expiresIn: '60' }, /expiresIn/],
    [{ path: '/img/width=1/a.jpg', extra: true }, /extra/],
  ])('refuses %j with 400 invalid-request', async (body, detail) => {
    const problem = await expectProblem(await sign(body), 400, detail);
    expect(problem.type).toMatch(/#problem-invalid-request$/);
  });

  it('refuses a body that is not JSON', async () => {
    const response = await api('/sign', { method: 'POST', body: 'path=/img/width=1/a.jpg' }, SIGNING);
    await expectProblem(response, 400, /JSON/);
  });

  it('refuses with 500 misconfigured when there are no signing keys', async () => {
    await expectProblem(await sign({ path: '/img/width=1/a.jpg' }, { SIGNING_KEYS: '' }), 500, /SIGNING_KEYS/);
  });

  it('needs the admin token: none, a wrong one, or an upload token is 401', async () => {
    await expectProblem(await sign({ path: '/img/width=1/a.jpg' }, SIGNING, ''), 401);
    await expectProblem(await sign({ path: '/img/width=1/a.jpg' }, SIGNING, `${ADMIN_TOKEN}x`), 401);
    const upload = await api('/upload-tokens', { method: 'POST', body: JSON.stringify({ prefix: 'p' }) }, SIGNING);
    const { token } = await upload.json<{ token: string }>();
    await expectProblem(await sign({ path: '/img/width=1/a.jpg' }, SIGNING, token), 401);
  });
});

describe('POST /api/v1/sign with a Thumbor path', () => {
  const THUMBOR = { ...SIGNING, THUMBOR_SECURITY_KEY: table.securityKey };

  it('puts the signature libthumbor makes in place of unsafe', async () => {
    for (const { url } of libthumbor.slice(0, 5)) {
      const rest = url.replace(/^\/[^/]+\//, '');
      const reply = await (await sign({ path: `/thumbor/unsafe/${rest}` }, THUMBOR)).json<{ path: string; url: string; expiresAt?: string }>();
      expect(reply.path).toBe(`/thumbor${url}`);
      expect(reply.url).toBe(`http://localhost/thumbor${url}`);
      expect(reply.expiresAt).toBeUndefined(); // Thumbor links do not expire
    }
  });

  it('the signed Thumbor URL is served; a tampered one is refused', async () => {
    const key = await storedPhoto();
    const { path } = await (await sign({ path: `/thumbor/unsafe/100x0/filters:grayscale()/${encodeKey(key)}` }, THUMBOR)).json<{ path: string }>();
    expect((await request(path, {}, THUMBOR)).status).toBe(200);
    await expectProblem(await request(path.replace('100x0', '101x0'), {}, THUMBOR), 403);
  });

  it('refuses with 500 misconfigured without THUMBOR_SECURITY_KEY', async () => {
    await expectProblem(await sign({ path: '/thumbor/unsafe/10x0/a.jpg' }, { ...SIGNING, THUMBOR_SECURITY_KEY: '' }), 500, /THUMBOR_SECURITY_KEY/);
  });
});
