/** Signed /img URLs: every tamper class, expiry, key rotation, fail-closed config, caching bounds. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { imageUrl, signUrl } from '../sdk/sign.js';
import { countVariants, decodeResponse, expectProblem, putFixture, request } from './helpers';
import { requestWithoutR2 } from './without-r2';

const SECRET = 'test-secret-new';
const OLD_SECRET = 'test-secret-old';
/** Signed URLs required, two keys listed: `new` signs, `old` still verifies. */
const SIGNED_ONLY = { ALLOW_UNSIGNED: 'false', SIGNING_KEYS: `new:${SECRET},old:${OLD_SECRET}` };
const sign = (path: string, options: Partial<Parameters<typeof signUrl>[1]> = {}) =>
  signUrl(path, { key: SECRET, kid: 'new', expiresIn: 600, ...options } as Parameters<typeof signUrl>[1]);

const get = (path: string, vars: Record<string, string> = SIGNED_ONLY, init?: RequestInit) => request(path, init, vars);

const getWithoutR2 = (path: string) => requestWithoutR2(path, SIGNED_ONLY);

async function expectInvalidSignature(response: Response) {
  const body = await expectProblem(response, 403);
  expect(body.type).toMatch(/#problem-invalid-signature$/);
  expect(body.detail).toBe('The URL signature is not valid.');
}

const maxAge = (response: Response) => Number(/max-age=(\d+)/.exec(response.headers.get('Cache-Control') ?? '')?.[1]);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('SDK ↔ worker round trip', () => {
  it('serves a link minted by signUrl, with the requested pixels', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const response = await get(await sign(imageUrl(key, { width: 100, format: 'png' })));
    const image = await decodeResponse(response);
    expect([image.width, image.height, image.format]).toEqual([100, 75, 'png']);
  });

  it('serves absolute URLs, keys with spaces and Unicode, and extra signed parameters', async () => {
    const key = await putFixture('formats/320x240.jpg', 'a b/café №1.jpg');
    const url = await sign(`https://img.example.com${imageUrl(key, { width: 64 })}?v=2`);
    expect(url).toMatch(/^https:\/\/img\.example\.com\/img\/width=64\//);
    const image = await decodeResponse(await get(url.replace('https://img.example.com', '')));
    expect(image.width).toBe(64);
  });

  it('signatures never fragment the variant store or the edge cache', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const path = imageUrl(key, { width: 88, format: 'webp' });
    const tiers: string[] = [];
    for (const expiresIn of [600, 900]) tiers.push((await get(await sign(path, { expiresIn }))).headers.get('X-Edgepix-Cache')!);
    tiers.push((await get(await sign(path, { key: OLD_SECRET, kid: 'old' }))).headers.get('X-Edgepix-Cache')!);
    tiers.push((await get(path, { ...SIGNED_ONLY, ALLOW_UNSIGNED: 'true' })).headers.get('X-Edgepix-Cache')!);
    expect(tiers).toEqual(['miss', 'edge', 'edge', 'edge']);
    expect(await countVariants(key)).toBe(1);
  });
});

describe('tampering: every altered link is a 403 that says nothing more, before any R2 read', () => {
  const flip = (text: string, at: number) =>
    text.slice(0, at) + (text[at] === 'a' ? 'b' : text[at] === '1' ? '2' : 'a') + text.slice(at + 1);
  const tampers: [string, (url: string) => string][] = [
    ['flip a character of the options', (u) => u.replace('width=100', 'width=101')],
    ['flip a character of the path prefix', (u) => u.replace('/img/', '/Img/').replace('/Img/', '/img//')],
    ['flip a character of the key', (u) => u.replace('.jpg?', '.jpG?')],
    ['flip a character of exp', (u) => u.replace(/exp=(\d+)/, (_, e: string) => `exp=${Number(e) + 1}`)],
    ['flip a character of kid', (u) => u.replace('kid=new', 'kid=neW')],
    ['flip a character of sig', (u) => u.replace(/sig=(.)/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`)],
    // Its low bits are unused by base64: a lax decoder would accept several spellings.
    ['flip the last character of sig', (u) => flip(u, u.length - 1)],
    ['flip the last character of sig by one bit', (u) => u.slice(0, -1) + String.fromCharCode(u.charCodeAt(u.length - 1) ^ 1)],
    ['append a parameter', (u) => `${u}&width=2000`],
    ['append a second exp', (u) => `${u}&exp=9999999999`],
    ['append a second sig', (u) => `${u}&${/sig=[^&]+/.exec(u)![0]}`],
    ['drop exp', (u) => u.replace(/exp=\d+&/, '')],
    ['drop kid', (u) => u.replace('kid=new&', 'kid=nonexistent&')],
    ['truncate sig', (u) => u.slice(0, -3)],
    ['pad sig with =', (u) => `${u}=`],
    ['sig not base64url', (u) => u.replace(/sig=.*/, 'sig=%2B%2B%2B')],
    ['signed with a key the worker does not list', (u) => u],
  ];
  it.each(tampers)('%s', async (name, tamper) => {
    const key = await putFixture('formats/320x240.jpg');
    const secret = name.startsWith('signed with a key') ? 'not-the-secret' : SECRET;
    const url = tamper(await sign(imageUrl(key, { width: 100 }), { key: secret }));
    await expectInvalidSignature(await getWithoutR2(url));
    expect(await countVariants(key)).toBe(0);
  });

  it('a link without a signature is refused when signatures are required', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const body = await expectProblem(await getWithoutR2(imageUrl(key, { width: 100 })), 403);
    expect(body.type).toMatch(/#problem-signature-required$/);
  });
});

describe('expiry', () => {
  it('an expired authentic link is 410 saying it expired', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const url = await sign(imageUrl(key, { width: 100 }), { expiresIn: undefined, expiresAt: Math.floor(Date.now() / 1000) - 5 });
    const body = await expectProblem(await getWithoutR2(url), 410, /expired at \d{4}-/);
    expect(body.type).toMatch(/#problem-expired$/);
  });

  it('an expired link with a wrong signature is only "invalid" (no oracle for forgers)', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const url = await sign(imageUrl(key, { width: 100 }), { key: 'wrong', expiresIn: undefined, expiresAt: 1000 });
    await expectInvalidSignature(await getWithoutR2(url));
  });

  it('Cache-Control never outlives the link, on miss, hit and 304 alike', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const url = await sign(imageUrl(key, { width: 77 }), { expiresIn: 90 });
    const first = await get(url);
    expect(first.headers.get('Cache-Control')).not.toMatch(/immutable/);
    expect(maxAge(first)).toBeGreaterThan(80);
    expect(maxAge(first)).toBeLessThanOrEqual(90);
    const hit = await get(url);
    expect(hit.headers.get('X-Edgepix-Cache')).toBe('edge');
    expect(maxAge(hit)).toBeLessThanOrEqual(90);
    const notModified = await get(url, SIGNED_ONLY, { headers: { 'If-None-Match': first.headers.get('ETag')! } });
    expect(notModified.status).toBe(304);
    expect(maxAge(notModified)).toBeLessThanOrEqual(90);
    expect(notModified.headers.get('Cache-Control')).not.toMatch(/immutable/);
  });

  it('a shorter configured Cache-Control is kept', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const url = await sign(imageUrl(key, { width: 78 }), { expiresIn: 3600 });
    const response = await get(url, { ...SIGNED_ONLY, VARIANT_CACHE_CONTROL: 'public, max-age=30, s-maxage=7200' });
    expect(response.headers.get('Cache-Control')).toMatch(/^public, max-age=30, s-maxage=35\d\d$/);
  });
});

describe('key rotation', () => {
  it('a link signed by an older key that is still listed works, with or without its kid', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const path = imageUrl(key, { width: 50 });
    for (const kid of ['old', undefined]) {
      const image = await decodeResponse(await get(await sign(path, { key: OLD_SECRET, kid })));
      expect(image.width).toBe(50);
    }
  });

  it('a link signed by a key no longer listed, or by a future key not yet listed, is refused', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const path = imageUrl(key, { width: 50 });
    await expectInvalidSignature(await get(await sign(path, { key: OLD_SECRET, kid: 'old' }), { ALLOW_UNSIGNED: 'false', SIGNING_KEYS: `new:${SECRET}` }));
    await expectInvalidSignature(await get(await sign(path, { key: 'future', kid: 'next' })));
    // The kid names the key: another listed key's secret under it does not verify.
    await expectInvalidSignature(await get(await sign(path, { key: OLD_SECRET, kid: 'new' })));
  });
});

describe('Web Crypto verifies the signature (a constant-time comparison)', () => {
  it('crypto.subtle.verify decides, with the decoded signature and the canonical string', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const url = await sign(imageUrl(key, { width: 40 }));
    expect((await get(url)).status).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
    const [algorithm, , signature, data] = verify.mock.calls[0]!;
    expect(algorithm).toBe('HMAC');
    expect((signature as Uint8Array).length).toBe(32);
    expect(new TextDecoder().decode(data as Uint8Array)).toBe(`${new URL(url, 'http://x').pathname}?${/exp=\d+&kid=new/.exec(url)![0]}`);
  });

  it('when verify says no, nothing else can say yes', async () => {
    const key = await putFixture('formats/320x240.jpg');
    vi.spyOn(crypto.subtle, 'verify').mockResolvedValue(false);
    await expectInvalidSignature(await get(await sign(imageUrl(key, { width: 40 }))));
  });
});

describe('policy', () => {
  it('missing keys with unsigned URLs disallowed fails closed with a 500 naming the problem', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const vars = { ALLOW_UNSIGNED: '', SIGNING_KEYS: '' };
    await expectProblem(await get(imageUrl(key, { width: 60 }), vars), 500, /SIGNING_KEYS is empty.*ALLOW_UNSIGNED/);
    await expectProblem(await get(await sign(imageUrl(key, { width: 60 })), vars), 500, /SIGNING_KEYS/);
    await expectProblem(await get(imageUrl(key, { width: 60 }), { ...vars, PUBLIC_PREFIXES: key.slice(0, 3) }), 500, /SIGNING_KEYS/);
  });

  it('a malformed SIGNING_KEYS is a 500 that names the variable but not the secret', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const body = await expectProblem(await get(imageUrl(key, { width: 60 }), { SIGNING_KEYS: 'no-colon-supersecret' }), 500, /SIGNING_KEYS/);
    expect(JSON.stringify(body)).not.toContain('supersecret');
  });

  it('ALLOW_UNSIGNED=true serves unsigned links, and still refuses bad signatures', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const vars = { ...SIGNED_ONLY, ALLOW_UNSIGNED: 'true' };
    const image = await decodeResponse(await get(imageUrl(key, { width: 30 }), vars));
    expect(image.width).toBe(30);
    const signed = await get(await sign(imageUrl(key, { width: 30 })), vars);
    expect(maxAge(signed)).toBeLessThanOrEqual(600);
    await expectInvalidSignature(await get(await sign(imageUrl(key, { width: 30 }), { key: 'wrong' }), vars));
  });

  it('PUBLIC_PREFIXES are served unsigned; everything else still needs a signature', async () => {
    const publicKey = await putFixture('formats/320x240.jpg', 'public/cat.jpg');
    const prefix = publicKey.slice(0, publicKey.indexOf('/') + 1) + 'public/';
    const vars = { ...SIGNED_ONLY, PUBLIC_PREFIXES: `static/, ${prefix}` };
    const image = await decodeResponse(await get(imageUrl(publicKey, { width: 20 }), vars));
    expect(image.width).toBe(20);
    const privateKey = await putFixture('formats/320x240.jpg', 'publicity.jpg');
    await expectProblem(await get(imageUrl(privateKey, { width: 20 }), vars), 403);
  });
});
