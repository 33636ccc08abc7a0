import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/lib/sha256';
import { api, countObjects, decodeResponse, expectProblem, fixture, request, uploadForm, uniqueKey } from './helpers';

const jpeg = () => fixture('formats/320x240.jpg');
const png = () => fixture('formats/with-alpha.png');
const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
const html = '<!doctype html><html><script>alert(1)</script></html>';

/** A fresh folder for one test, so counts in R2 see only its objects. */
const folder = () => uniqueKey('up').replace(/\/up$/, '');

const post = (form: FormData, query = '', vars?: Record<string, string>) =>
  api(`/images${query}`, { method: 'POST', body: form }, vars);

const put = (key: string, body: BodyInit, query = '', vars?: Record<string, string>) =>
  api(`/images/${key.split('/').map(encodeURIComponent).join('/')}${query}`, { method: 'PUT', body }, vars);

describe('POST /images', () => {
  it('stores one file at <prefix>/<sha256>.<ext> with its metadata in R2', async () => {
    const prefix = folder();
    const bytes = await jpeg();
    const response = await post(uploadForm([['cat.jpg', bytes]], { prefix }));
    expect(response.status).toBe(201);
    const { results } = await response.json<{ results: Record<string, unknown>[] }>();
    const sha256 = await sha256Hex(bytes);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      name: 'cat.jpg',
      key: `${prefix}/${sha256}.jpg`,
      sha256,
      bytes: bytes.length,
      width: 320,
      height: 240,
      format: 'jpeg',
      contentType: 'image/jpeg',
      hasAlpha: false,
      orientation: 1,
      deduplicated: false,
      urls: {
        thumb: `http://localhost/img/thumb/${prefix}/${sha256}.jpg`,
        card: `http://localhost/img/card/${prefix}/${sha256}.jpg`,
        hero: `http://localhost/img/hero/${prefix}/${sha256}.jpg`,
      },
    });
    const stored = await env.ORIGINALS.get(`${prefix}/${sha256}.jpg`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(bytes);
    expect(stored!.httpMetadata?.contentType).toBe('image/jpeg');
    expect(stored!.customMetadata).toMatchObject({ sha256, width: '320', height: '240', format: 'jpeg', hasAlpha: 'false' });
  });

  it('gives each of several files its own result; invalid ones store nothing', async () => {
    const prefix = folder();
    const truncated = (await jpeg()).slice(0, 300);
    const form = uploadForm(
      [
        ['a.jpg', await jpeg()],
        ['page.svg', svg],
        ['b.png', await png()],
        ['index.html', html],
        ['cut.jpg', truncated],
        ['empty.jpg', new Uint8Array(0)],
      ],
      { prefix },
    );
    const response = await post(form);
    expect(response.status).toBe(207);
    const { results } = await response.json<{ results: { name: string; key?: string; error?: { status: number; type: string } }[] }>();
    expect(results.map((r) => [r.name, r.error?.status ?? 201])).toEqual([
      ['a.jpg', 201],
      ['page.svg', 415],
      ['b.png', 201],
      ['index.html', 415],
      ['cut.jpg', 422],
      ['empty.jpg', 415],
    ]);
    expect(results[1]!.error!.type).toMatch(/#problem-unsupported-media-type$/);
    expect(results[2]!.key).toMatch(new RegExp(`^${prefix}/[0-9a-f]{64}\\.png$`));
    expect(await countObjects(env.ORIGINALS, `${prefix}/`)).toBe(2);
  });

  it('a single bad file is a problem response and stores nothing', async () => {
    const prefix = folder();
    await expectProblem(await post(uploadForm([['x.svg', svg]], { prefix })), 415, /SVG/);
    await expectProblem(await post(uploadForm([['x.html', html]], { prefix })), 415, /markup/);
    const corrupt = (await png()).slice();
    for (let i = 200; i < corrupt.length - 20; i += 97) corrupt[i] = corrupt[i]! ^ 0xff;
    await expectProblem(await post(uploadForm([['x.png', corrupt]], { prefix })), 422);
    expect(await countObjects(env.ORIGINALS, `${prefix}/`)).toBe(0);
  });

  it('dedupes by content: the same bytes twice are one object, and the reply says so', async () => {
    const prefix = folder();
    const bytes = await jpeg();
    const first = await (await post(uploadForm([['one.jpg', bytes]], { prefix }))).json<{ results: { key: string; deduplicated: boolean; etag: string }[] }>();
    const second = await post(uploadForm([['two.jpg', bytes]], { prefix }));
    expect(second.status).toBe(201);
    const again = (await second.json<typeof first>()).results[0]!;
    expect(again).toMatchObject({ key: first.results[0]!.key, deduplicated: true, etag: first.results[0]!.etag });
    expect(first.results[0]!.deduplicated).toBe(false);
    expect(await countObjects(env.ORIGINALS, `${prefix}/`)).toBe(1);
  });

  it('concurrent uploads of identical content store one object and all succeed', async () => {
    const prefix = folder();
    const bytes = await png();
    const responses = await Promise.all([1, 2, 3, 4].map(() => post(uploadForm([['same.png', bytes]], { prefix }))));
    const results = await Promise.all(responses.map(async (r) => (await r.json<{ results: { key: string; deduplicated: boolean }[] }>()).results[0]!));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.key)).size).toBe(1);
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
    expect(await countObjects(env.ORIGINALS, `${prefix}/`)).toBe(1);
  });

  it('an explicit key that exists is 409 unless overwrite=true', async () => {
    const key = `${folder()}/cat.jpg`;
    expect((await post(uploadForm([['cat.jpg', await jpeg()]], { key }))).status).toBe(201);
    await expectProblem(await post(uploadForm([['cat.png', await png()]], { key })), 409, /overwrite=true/);
    expect((await env.ORIGINALS.head(key))!.customMetadata!.format).toBe('jpeg');
    const replaced = await post(uploadForm([['cat.png', await png()]], { key, overwrite: 'true' }));
    expect(replaced.status).toBe(201);
    expect((await env.ORIGINALS.head(key))!.customMetadata!.format).toBe('png');
  });

  it('concurrent creates of one explicit key: exactly one wins', async () => {
    const key = `${folder()}/race.png`;
    const [a, b] = [await jpeg(), await png()];
    const statuses = (await Promise.all([put(key, a), put(key, b), put(key, a)])).map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409]);
  });

  it.each([
    ['a/../b.jpg', 400],
    ['a//b.jpg', 400],
    ['a/\u0001b.jpg', 400],
    ['a\\b.jpg', 400],
    ['x'.repeat(1025), 400],
  ])('refuses the key %j', async (key, status) => {
    await expectProblem(await post(uploadForm([['x.jpg', await jpeg()]], { key })), status);
  });

  it('refuses a request that is not multipart, or has no file', async () => {
    await expectProblem(await api('/images', { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } }), 415, /multipart/);
    await expectProblem(await post(uploadForm([], { prefix: 'x' })), 400, /file/);
    await expectProblem(await post(uploadForm([['a.jpg', 'x'], ['b.jpg', 'y']], { key: 'k.jpg' })), 400, /prefix/);
  });

  it('refuses a body over MAX_UPLOAD_BYTES before reading it, and a file over MAX_ORIGINAL_BYTES', async () => {
    const prefix = folder();
    await expectProblem(await post(uploadForm([['a.jpg', await jpeg()]], { prefix }), '', { MAX_UPLOAD_BYTES: '1000' }), 413, /MAX_UPLOAD_BYTES/);
    await expectProblem(await post(uploadForm([['a.jpg', await jpeg()]], { prefix }), '', { MAX_ORIGINAL_BYTES: '1000' }), 413, /MAX_ORIGINAL_BYTES/);
    expect(await countObjects(env.ORIGINALS, `${prefix}/`)).toBe(0);
  });

  it('refuses a header claiming too many pixels (413) without storing it', async () => {
    const prefix = folder();
    const bomb = (await png()).slice();
    new DataView(bomb.buffer).setUint32(16, 60000);
    new DataView(bomb.buffer).setUint32(20, 60000);
    await expectProblem(await post(uploadForm([['bomb.png', bomb]], { prefix })), 413, /MAX_INPUT_PIXELS/);
    expect(await countObjects(env.ORIGINALS, `${prefix}/`)).toBe(0);
  });
});

describe('PUT /images/<key>', () => {
  it('stores the raw body at the key', async () => {
    const key = `${folder()}/raw photo.png`;
    const bytes = await png();
    const response = await put(key, bytes);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ key, format: 'png', hasAlpha: true, bytes: bytes.length });
    expect((await env.ORIGINALS.head(key))!.customMetadata!.sha256).toBe(await sha256Hex(bytes));
  });

  it('409 on an existing key; overwrite=true replaces it', async () => {
    const key = `${folder()}/x.jpg`;
    expect((await put(key, await jpeg())).status).toBe(201);
    await expectProblem(await put(key, await png()), 409);
    expect((await put(key, await png(), '?overwrite=true')).status).toBe(201);
    await expectProblem(await put(key, await png(), '?overwrite=yes'), 400, /overwrite/);
  });

  it('refuses a body over MAX_ORIGINAL_BYTES by its Content-Length', async () => {
    const key = `${folder()}/big.jpg`;
    await expectProblem(await put(key, await jpeg(), '', { MAX_ORIGINAL_BYTES: '1000' }), 413, /MAX_ORIGINAL_BYTES/);
    expect(await env.ORIGINALS.head(key)).toBeNull();
  });

  it('never stores SVG or HTML', async () => {
    const key = `${folder()}/x.svg`;
    await expectProblem(await put(key, svg), 415, /SVG/);
    await expectProblem(await put(key, html), 415);
    expect(await env.ORIGINALS.head(key)).toBeNull();
  });
});

describe('preset URLs in replies when signatures are required', () => {
  const SIGNED_ONLY = { ALLOW_UNSIGNED: 'false', SIGNING_KEYS: 'k1:upload-test-secret-0123456789', SIGNED_URL_TTL: '600' };

  it('are signed with the first key, expire after SIGNED_URL_TTL, and serve the preset', async () => {
    const prefix = folder();
    const response = await post(uploadForm([['cat.jpg', await jpeg()]], { prefix }), '', SIGNED_ONLY);
    expect(response.status).toBe(201);
    const body = (await response.json()) as { results: { urls: Record<string, string> }[] };
    const thumb = new URL(body.results[0]!.urls.thumb!);
    expect(thumb.searchParams.get('kid')).toBe('k1');
    expect(thumb.searchParams.get('sig')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expiresIn = Number(thumb.searchParams.get('exp')) - Date.now() / 1000;
    expect(expiresIn).toBeGreaterThan(590);
    expect(expiresIn).toBeLessThanOrEqual(600);
    const image = await decodeResponse(await request(thumb.pathname + thumb.search, undefined, SIGNED_ONLY));
    expect([image.width, image.height]).toEqual([200, 200]);
    // The same path without its signature is refused.
    expect((await request(thumb.pathname, undefined, SIGNED_ONLY)).status).toBe(403);
  });

  it('stay plain for keys under a public prefix', async () => {
    const prefix = `pub${Date.now().toString(36)}`;
    const vars = { ...SIGNED_ONLY, PUBLIC_PREFIXES: `${prefix}/` };
    const body = (await (await post(uploadForm([['cat.jpg', await jpeg()]], { prefix }), '', vars)).json()) as {
      results: { urls: Record<string, string> }[];
    };
    expect(new URL(body.results[0]!.urls.thumb!).search).toBe('');
  });
});
