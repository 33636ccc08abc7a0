/** Papercuts a new user hit (issue 16): each test fails without its fix. */
import { env } from 'cloudflare:test';
import readme from '../README.md?raw';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/lib/sha256';
import { api, expectProblem, fixture, img, putFixture, request, uniqueKey, uploadForm } from './helpers';

describe('an upload token over its maxBytes', () => {
  async function issue(body: object): Promise<string> {
    const response = await api('/upload-tokens', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json<{ token: string }>()).token;
  }

  it('POST: the detail names the token’s maxBytes, not that plus the multipart allowance', async () => {
    const token = await issue({ prefix: uniqueKey('capped'), maxBytes: 1000 });
    const form = uploadForm([['big.jpg', await fixture('formats/320x240.jpg')]]); // 81 KB: over maxBytes + framing
    const body = await expectProblem(await api('/images', { method: 'POST', body: form }, {}, token), 413, /over 1000 bytes \(the upload token's maxBytes\)/);
    expect(body.detail).not.toMatch(/17384/);
  });
});

describe('a bad width or height names the configured MAX_OUTPUT_DIMENSION', () => {
  it.each([
    ['width=abc', {}, /whole number of pixels from 1 to 12000 for width but received "abc"/],
    ['height=-3', {}, /whole number of pixels from 1 to 12000 for height/],
    ['w=999999', {}, /whole number of pixels from 1 to 12000 for width/],
    ['width=abc', { MAX_OUTPUT_DIMENSION: '5000' }, /from 1 to 5000 for width/],
    ['width=6000', { MAX_OUTPUT_DIMENSION: '5000' }, /exceeds the maximum output dimension of 5000/],
  ])('%s with %o', async (options, vars, detail) => {
    const body = await expectProblem(await img(options, 'never-looked-up.jpg', undefined, vars), 400, detail);
    expect(body.detail).not.toMatch(/100000/);
  });
});

describe('a Thumbor URL whose image is a remote URL', () => {
  it.each([
    '/thumbor/unsafe/300x200/https://example.com/a.jpg',
    '/thumbor/unsafe/300x200/http://example.com/a.jpg',
    '/thumbor/unsafe/https%3A%2F%2Fexample.com%2Fa.jpg',
    '/thumbor/unsafe/fit-in/300x200/filters:quality(80)/http%3a//example.com/photos/a.jpg?v=2',
  ])('%s: 400 remote-source, suggesting an upload', async (path) => {
    const body = await expectProblem(await request(path, undefined, { THUMBOR_ALLOW_UNSAFE: 'true' }), 400, /Remote sources are not supported.*Upload the image/);
    expect(body).toMatchObject({ type: expect.stringMatching(/#problem-remote-source$/), title: 'Remote sources are not supported' });
  });
});

it('the README says what the ETag is: the first 128 bits of the SHA-256 of the variant, in hex', async () => {
  const response = await img('width=50', await putFixture('formats/320x240.jpg'));
  const digest = await sha256Hex(new Uint8Array(await response.arrayBuffer()));
  expect(response.headers.get('ETag')).toBe(`"${digest.slice(0, 32)}"`);
  const sentence = readme.slice(readme.indexOf('a strong `ETag`'), readme.indexOf('`If-None-Match` gives `304`'));
  expect(sentence.replace(/\s+/g, ' ')).toContain("the first 128 bits of the SHA-256 of the variant's bytes, as 32 lowercase hex digits");
});

describe('If-Modified-Since (RFC 9110 §13.1.3)', () => {
  const OPTIONS = 'width=61';
  /** The original's upload time, in whole seconds as Last-Modified carries it. */
  async function stored(): Promise<{ key: string; uploaded: number }> {
    const key = await putFixture('formats/320x240.jpg');
    return { key, uploaded: Math.floor((await env.ORIGINALS.head(key))!.uploaded.getTime() / 1000) * 1000 };
  }
  const since = (ms: number, headers: Record<string, string> = {}) => ({ headers: { 'If-Modified-Since': new Date(ms).toUTCString(), ...headers } });
  const tier = (response: Response) => /cache;desc="(\w+)"/.exec(response.headers.get('Server-Timing') ?? '')?.[1];

  async function expectNotModified(response: Response, expectedTier: string) {
    expect(response.status).toBe(304);
    expect(tier(response)).toBe(expectedTier);
    expect(response.headers.get('ETag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(response.headers.get('Cache-Control')).toContain('max-age');
    expect(await response.text()).toBe('');
  }

  it('304 without a body when Last-Modified is not later than the date: fresh transform, edge hit and R2 variant alike', async () => {
    const { key, uploaded } = await stored();
    await expectNotModified(await img(OPTIONS, key, since(uploaded)), 'miss');
    await expectNotModified(await img(OPTIONS, key, since(uploaded + 60_000)), 'edge');
    await expectNotModified(await img(OPTIONS, key, { ...since(uploaded), method: 'HEAD' }), 'edge');
    const [variant] = (await env.VARIANTS.list({ prefix: `${encodeURIComponent(key)}/` })).objects;
    expect(await caches.default.delete(`http://localhost/__edgepix/variants/${variant!.key}`)).toBe(true);
    await expectNotModified(await img(OPTIONS, key, since(uploaded)), 'variant');
  });

  it('the obsolete RFC 850 and asctime date forms are understood too', async () => {
    const { key, uploaded } = await stored();
    const later = new Date(uploaded + 86_400_000);
    const [weekday, day, month, year, time] = later.toUTCString().split(/,? /);
    const longWeekday = later.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
    for (const date of [`${longWeekday}, ${day}-${month}-${year!.slice(2)} ${time} GMT`, `${weekday} ${month} ${day!.padStart(2, ' ')} ${time} ${year}`]) {
      expect((await img(OPTIONS, key, { headers: { 'If-Modified-Since': date } })).status, date).toBe(304);
    }
  });

  it('200 with the body when modified since, when If-None-Match is present (it wins), or when the date is not an HTTP-date', async () => {
    const { key, uploaded } = await stored();
    const lastModified = new Date(uploaded).toUTCString();
    for (const init of [
      since(uploaded - 1000),
      since(uploaded + 60_000, { 'If-None-Match': '"not-this-one"' }),
      { headers: { 'If-Modified-Since': 'garbage' } },
      { headers: { 'If-Modified-Since': '9999-12-31' } }, // Date.parse reads it; HTTP does not
    ]) {
      const response = await img(OPTIONS, key, init);
      expect(response.status, JSON.stringify(init)).toBe(200);
      expect(response.headers.get('Last-Modified')).toBe(lastModified);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
  });

  it('Thumbor URLs are answered the same way', async () => {
    const { key, uploaded } = await stored();
    const thumbor = (init: RequestInit) => request(`/thumbor/unsafe/61x0/${key}`, init, { THUMBOR_ALLOW_UNSAFE: 'true' });
    expect((await thumbor(since(uploaded))).status).toBe(304);
    expect((await thumbor(since(uploaded - 1000))).status).toBe(200);
  });
});
