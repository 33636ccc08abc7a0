/**
 * One conformance suite for every kind of origin: the ORIGINALS bucket
 * (local R2), a real S3-compatible server speaking the S3 REST API (s3rver;
 * it checks access keys but not SigV4 signatures, which
 * test/node/sigv4.test.mjs checks against @smithy/signature-v4) and an HTTP
 * file server, both on 127.0.0.1 (test/origin-servers.mjs). Each must behave
 * the same through /img/.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { ADMIN_TOKEN, encodeKey, expectProblem, fixture, uniqueKey } from './helpers';

interface OriginUnderTest {
  name: string;
  /** The key prefix this origin serves ('' for R2). */
  prefix: string;
  vars: Record<string, string>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  remove(key: string): Promise<void>;
}

const control = async (method: string, path: string, body?: Uint8Array) => {
  const response = await fetch(`${env.TEST_ORIGIN_CONTROL}${path.split('/').map(encodeURIComponent).join('/')}`, { method, body });
  expect(response.ok, `${method} ${path}`).toBe(true);
};

const S3_VARS = {
  ORIGINS: JSON.stringify([{ prefix: 'minio/', type: 's3', endpoint: env.TEST_S3_ENDPOINT, bucket: 'photos', pathStyle: true, credentials: 'MINIO' }]),
  MINIO_ACCESS_KEY_ID: 'S3RVER',
  MINIO_SECRET_ACCESS_KEY: 'S3RVER',
};

const httpOriginVars = (extra: Record<string, unknown> = {}) => ({
  ORIGINS: JSON.stringify([{ prefix: 'web/', type: 'http', base: env.TEST_HTTP_ORIGIN, allowInsecure: true, timeoutSeconds: 1, retries: 1, ...extra }]),
});

const ORIGINS: OriginUnderTest[] = [
  {
    name: 'R2',
    prefix: '',
    vars: {},
    put: async (key, bytes) => void (await env.ORIGINALS.put(key, bytes)),
    remove: (key) => env.ORIGINALS.delete(key),
  },
  {
    name: 's3 (s3rver)',
    prefix: 'minio/',
    vars: S3_VARS,
    put: (key, bytes) => control('PUT', `s3/${key.slice('minio/'.length)}`, bytes),
    remove: (key) => control('DELETE', `s3/${key.slice('minio/'.length)}`),
  },
  {
    name: 'http',
    prefix: 'web/',
    vars: httpOriginVars(),
    put: (key, bytes) => control('PUT', `http/${key.slice('web/'.length)}`, bytes),
    remove: (key) => control('DELETE', `http/${key.slice('web/'.length)}`),
  },
];

/** One env object per test, so configuration, origins and lookup memo persist across its requests, as in an isolate. */
function client(vars: Record<string, string>) {
  const testEnv = { ...env, ...vars };
  return async (path: string, init?: RequestInit) => {
    const ctx = createExecutionContext();
    const response = await worker.fetch(new Request(`http://localhost${path}`, init), testEnv, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };
}

/** Width and height from a PNG's IHDR: an oracle that owes nothing to edgepix's decoders. */
async function pngSize(response: Response) {
  expect(response.status, response.status === 200 ? '' : await response.clone().text()).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  expect(String.fromCharCode(...bytes.subarray(12, 16))).toBe('IHDR');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

describe.each(ORIGINS)('origin: $name', (origin) => {
  const keyFor = (name: string) => `${origin.prefix}${uniqueKey(name)}`;

  it('serves a transformed original, then the same variant from the edge', async () => {
    const key = keyFor('photo.jpg');
    await origin.put(key, await fixture('formats/320x240.jpg'));
    const get = client(origin.vars);
    const first = await get(`/img/width=64,format=png/${encodeKey(key)}`);
    expect(first.headers.get('X-Edgepix-Cache')).toBe('miss');
    expect(await pngSize(first)).toEqual({ width: 64, height: 48 });
    const second = await get(`/img/width=64,format=png/${encodeKey(key)}`);
    expect(second.headers.get('X-Edgepix-Cache')).toBe('edge');
    expect(second.headers.get('ETag')).toBe(first.headers.get('ETag'));
  });

  it('a missing key is 404', async () => {
    await expectProblem(await client(origin.vars)(`/img/width=64/${encodeKey(keyFor('nothing.jpg'))}`), 404);
  });

  it('answers If-None-Match with 304', async () => {
    const key = keyFor('photo.jpg');
    await origin.put(key, await fixture('formats/320x240.jpg'));
    const get = client(origin.vars);
    const first = await get(`/img/width=40/${encodeKey(key)}`);
    expect(first.status).toBe(200);
    const again = await get(`/img/width=40/${encodeKey(key)}`, { headers: { 'If-None-Match': first.headers.get('ETag')! } });
    expect(again.status).toBe(304);
  });

  it('a replaced original yields a new variant, never the stale one', async () => {
    const key = keyFor('replaced.jpg');
    await origin.put(key, await fixture('formats/320x240.jpg'));
    const get = client({ ...origin.vars, ORIGINAL_LOOKUP_TTL: '0' });
    expect(await pngSize(await get(`/img/width=100,format=png/${encodeKey(key)}`))).toEqual({ width: 100, height: 75 });
    await origin.put(key, await fixture('derived/progressive.jpg'));
    const replaced = await get(`/img/width=100,format=png/${encodeKey(key)}`);
    expect(replaced.headers.get('X-Edgepix-Cache')).toBe('miss');
    expect((await pngSize(replaced)).height).not.toBe(75);
  });

  it('a read pinned to a remembered version notices a replacement, and the new variant is keyed by the new version', async () => {
    const key = keyFor('pinned.jpg');
    await origin.put(key, await fixture('formats/320x240.jpg'));
    const get = client(origin.vars); // the lookup is remembered (ORIGINAL_LOOKUP_TTL 10 s)
    expect(await pngSize(await get(`/img/width=100,format=png/${encodeKey(key)}`))).toEqual({ width: 100, height: 75 });
    await origin.put(key, await fixture('derived/progressive.jpg'));
    expect((await pngSize(await get(`/img/width=101,format=png/${encodeKey(key)}`))).height).not.toBe(76);
    const listed = await env.VARIANTS.list({ prefix: `${encodeURIComponent(key)}/` });
    const versions = new Set(listed.objects.map((o) => o.key.split('/')[1]));
    expect(versions.size, 'each variant under the version it was made from').toBe(2);
  });

  it('streams a large original under the cap, and refuses one over it', async () => {
    const key = keyFor('large.png');
    const bytes = await fixture('derived/rgb8.png');
    await origin.put(key, bytes);
    const get = client(origin.vars);
    expect((await pngSize(await get(`/img/width=200,format=png/${encodeKey(key)}`))).width).toBe(200);
    const capped = client({ ...origin.vars, MAX_ORIGINAL_BYTES: String(bytes.length - 1) });
    await expectProblem(await capped(`/img/width=201,format=png/${encodeKey(key)}`), 413, /MAX_ORIGINAL_BYTES/);
  });

  it('keys with spaces, unicode and "+" name the same object', async () => {
    const key = keyFor('dir/a b+c é 猫.jpg');
    await origin.put(key, await fixture('formats/320x240.jpg'));
    expect((await pngSize(await client(origin.vars)(`/img/width=32,format=png/${encodeKey(key)}`))).width).toBe(32);
  });

  it('the Thumbor route reads through the same origin', async () => {
    const key = keyFor('thumbor.jpg');
    await origin.put(key, await fixture('formats/320x240.jpg'));
    const response = await client({ ...origin.vars, THUMBOR_ALLOW_UNSAFE: 'true' })(`/thumbor/unsafe/60x45/filters:format(png)/${encodeKey(key)}`);
    expect(await pngSize(response)).toEqual({ width: 60, height: 45 });
  });

  it(origin.prefix ? 'refuses uploads (405) and DELETE removes only the variants' : 'takes uploads and DELETE removes the original', async () => {
    const key = keyFor('managed.jpg');
    const bytes = await fixture('formats/320x240.jpg');
    await origin.put(key, bytes);
    const call = client({ ...origin.vars, ADMIN_TOKEN });
    const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    expect((await call(`/img/width=30/${encodeKey(key)}`)).status).toBe(200);
    const put = await call(`/api/v1/images/${encodeKey(key)}?overwrite=true`, { method: 'PUT', body: bytes, headers: auth });
    if (origin.prefix) await expectProblem(put, 405, /upload it there/);
    else expect(put.status).toBe(201);
    const deleted = await call(`/api/v1/images/${encodeKey(key)}`, { method: 'DELETE', headers: auth });
    expect(await deleted.json()).toMatchObject({ key, deleted: !origin.prefix, variantsRemoved: 1 });
    const after = await call(`/img/width=31/${encodeKey(key)}`);
    expect(after.status).toBe(origin.prefix ? 200 : 404);
  });
});

describe('origin faults are 502/504 with Retry-After, never the origin’s own reply', () => {
  const web = client(httpOriginVars());

  it('a 5xx is retried `retries` times, then 502', async () => {
    await fetch(`${env.TEST_ORIGIN_CONTROL}http-log`);
    await expectProblem(await web('/img/width=10/web/error-500/y.jpg'), 502, /answered 500 \(2 attempts\)/);
    const log = (await (await fetch(`${env.TEST_ORIGIN_CONTROL}http-log`)).json()) as unknown[];
    expect(log).toHaveLength(2); // retries: 1 in httpOriginVars
  });

  it.each(['web/../secret.jpg', 'web//etc/passwd', 'web/a%2F..%2F..%2Fsecret.jpg', 'web/%2e%2e/secret.jpg'])(
    'the key %s never leaves the origin: the origin is not asked',
    async (raw) => {
      await fetch(`${env.TEST_ORIGIN_CONTROL}http-log`);
      // 400 invalid-key; or, where URL parsing already removed a dot segment (as the runtime does too), a 404 from R2.
      const response = await web(`/img/width=10/${raw}`);
      await expectProblem(response, response.status === 404 ? 404 : 400);
      expect(await (await fetch(`${env.TEST_ORIGIN_CONTROL}http-log`)).json()).toEqual([]);
    },
  );

  it.each([
    ['a 5xx, after retries', 'web/error-500/x.jpg', 502],
    ['no answer within timeoutSeconds', 'web/slow/x.jpg', 504],
    ['a redirect to another host', 'web/redirect-away/x.jpg', 502],
  ])('%s', async (_, key, status) => {
    const response = await web(`/img/width=10/${encodeKey(key)}`);
    await expectProblem(response.clone(), status);
    expect(response.headers.get('Retry-After')).toBe('5');
    expect(await response.text()).not.toContain('internal details');
  });

  it('a body that stalls mid-way is 504', async () => {
    const key = `stall/${uniqueKey('x.jpg')}`;
    await control('PUT', `http/${key}`, await fixture('formats/320x240.jpg'));
    await expectProblem(await web(`/img/width=10/web/${encodeKey(key)}`), 504, /stalled/);
  });

  it('a redirect within the host is followed', async () => {
    const key = uniqueKey('moved.jpg');
    await control('PUT', `http/${key}`, await fixture('formats/320x240.jpg'));
    expect((await pngSize(await web(`/img/width=20,format=png/web/redirect-here/${encodeKey(key)}`))).width).toBe(20);
  });

  it('an unreachable S3 endpoint is 502, and wrong credentials too, without their text', async () => {
    const closed = S3_VARS.ORIGINS.replace(env.TEST_S3_ENDPOINT, 'http://127.0.0.1:9');
    await expectProblem(await client({ ...S3_VARS, ORIGINS: closed })('/img/width=10/minio/x.jpg'), 502, /could not be reached/);
    const key = uniqueKey('signed.jpg');
    await control('PUT', `s3/${key}`, await fixture('formats/320x240.jpg'));
    const wrong = await client({ ...S3_VARS, MINIO_ACCESS_KEY_ID: 'NOT-A-KEY' })(`/img/width=10/minio/${encodeKey(key)}`);
    await expectProblem(wrong.clone(), 502, /refused access/);
    expect(await wrong.text()).not.toContain('NOT-A-KEY');
  });

  it('an origin without Content-Length is capped while streaming', async () => {
    const key = `no-length/${uniqueKey('big.png')}`;
    const bytes = await fixture('derived/rgb8.png');
    await control('PUT', `http/${key}`, bytes);
    const capped = client({ ...httpOriginVars(), MAX_ORIGINAL_BYTES: String(bytes.length - 1) });
    await expectProblem(await capped(`/img/width=50/web/${encodeKey(key)}`), 413, /MAX_ORIGINAL_BYTES/);
    expect((await pngSize(await web(`/img/width=50,format=png/web/${encodeKey(key)}`))).width).toBe(50);
  });

  it('files with neither ETag nor Last-Modified cannot be versioned: 502', async () => {
    const key = `no-validator/${uniqueKey('x.jpg')}`;
    await control('PUT', `http/${key}`, await fixture('formats/320x240.jpg'));
    await expectProblem(await web(`/img/width=10/web/${encodeKey(key)}`), 502, /neither ETag nor Last-Modified/);
  });
});

describe('revalidation', () => {
  it('once the lookup TTL is over, an unchanged original is revalidated with If-None-Match, not downloaded', async () => {
    const key = uniqueKey('kept.jpg');
    await control('PUT', `http/${key}`, await fixture('formats/320x240.jpg'));
    const get = client({ ...httpOriginVars(), ORIGINAL_LOOKUP_TTL: '1' });
    expect((await get(`/img/width=22/web/${encodeKey(key)}`)).status).toBe(200);
    await fetch(`${env.TEST_ORIGIN_CONTROL}http-log`);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await get(`/img/width=22/web/${encodeKey(key)}`);
    expect(again.headers.get('X-Edgepix-Cache')).toBe('edge');
    const log = (await (await fetch(`${env.TEST_ORIGIN_CONTROL}http-log`)).json()) as { ifNoneMatch: string | null }[];
    expect(log).toHaveLength(1);
    expect(log[0]!.ifNoneMatch).toMatch(/^"[0-9a-f]{16}"$/);
  });
});

describe('ORIGINS configuration', () => {
  it.each([
    ['not JSON', 'nope', /ORIGINS/],
    ['a prefix without a trailing slash', JSON.stringify([{ prefix: 'web', type: 'http', base: 'https://a.example/' }]), /ORIGINS/],
    ['plain http without allowInsecure', JSON.stringify([{ prefix: 'web/', type: 'http', base: 'http://a.example/' }]), /https/],
  ])('%s is a 500 misconfigured naming ORIGINS', async (_, value, detail) => {
    await expectProblem(await client({ ORIGINS: value })('/img/width=10/web/x.jpg'), 500, detail);
  });

  it("an http origin's headers secret is sent with every request; one that is not a JSON object of strings is named", async () => {
    const key = uniqueKey('private.jpg');
    await control('PUT', `http/${key}`, await fixture('formats/320x240.jpg'));
    await fetch(`${env.TEST_ORIGIN_CONTROL}http-log`);
    const vars = { ...httpOriginVars({ headers: 'WEB_HEADERS' }), WEB_HEADERS: '{"Authorization": "Bearer origin-token"}' };
    expect((await client(vars)(`/img/width=20/web/${encodeKey(key)}`)).status).toBe(200);
    const log = (await (await fetch(`${env.TEST_ORIGIN_CONTROL}http-log`)).json()) as { authorization: string | null }[];
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((r) => r.authorization === 'Bearer origin-token')).toBe(true);
    for (const bad of ['not json', '["a"]', '{"X-Count": 1}']) {
      await expectProblem(await client({ ...vars, WEB_HEADERS: bad })(`/img/width=21/web/${encodeKey(key)}`), 500, /WEB_HEADERS: must be a JSON object/);
    }
  });

  it('a missing credentials secret is named', async () => {
    const { MINIO_SECRET_ACCESS_KEY: _, ...withoutSecret } = S3_VARS;
    await expectProblem(await client(withoutSecret)('/img/width=10/minio/x.jpg'), 500, /MINIO_SECRET_ACCESS_KEY/);
  });
});

describe('onerror=redirect', () => {
  const corrupt = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, ...new Array(200).fill(7)]);

  it("a failed transform of an http origin's original answers 302 to the original's own URL", async () => {
    const key = uniqueKey('broken.jpg');
    await control('PUT', `http/${key}`, corrupt);
    const web = client(httpOriginVars());
    const redirected = await web(`/img/width=10,onerror=redirect/web/${encodeKey(key)}`);
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('Location')).toBe(`${env.TEST_HTTP_ORIGIN}${encodeKey(key)}`);
    expect((await web(`/img/width=10/web/${encodeKey(key)}`)).status).toBe(422); // without the option, the error
    await expectProblem(await web(`/img/width=10,onerror=redirect/web/${encodeKey(uniqueKey('none.jpg'))}`), 404);
  });

  it('never for a private original, an origin that needs secret headers, or an R2 original (none has a public URL)', async () => {
    const key = uniqueKey('broken.jpg');
    await control('PUT', `http/${key}`, corrupt);
    const signedOnly = client({ ...httpOriginVars(), ALLOW_UNSIGNED: 'false', SIGNING_KEYS: 'k:0123456789abcdef0123456789abcdef' });
    const path = `/img/width=10,onerror=redirect/web/${encodeKey(key)}`;
    const { signUrl } = await import('../sdk/sign.js');
    const signed = new URL(await signUrl(`http://localhost${path}`, { key: '0123456789abcdef0123456789abcdef', kid: 'k', expiresIn: 60 }));
    expect((await signedOnly(`${signed.pathname}${signed.search}`)).status).toBe(422);
    const withHeaders = client({ ...httpOriginVars({ headers: 'WEB_HEADERS' }), WEB_HEADERS: '{"Authorization": "Bearer t"}' });
    expect((await withHeaders(path)).status).toBe(422);
    const r2Key = uniqueKey('broken.jpg');
    await env.ORIGINALS.put(r2Key, corrupt);
    expect((await client({})(`/img/width=10,onerror=redirect/${encodeKey(r2Key)}`)).status).toBe(422);
  });
});
