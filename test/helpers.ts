/** Shared by the integration tests: fixtures, requests, and judging what came back with oracles independent of edgepix (./oracle.ts). */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { expect } from 'vitest';
import { collect, replay } from '../src/codecs/rows';
import type { RgbaImage } from '../src/codecs/types';
import type { Step, StepContext } from '../src/pipeline/step';
import worker from '../src/index';
import { boxDownscale, inflateGolden, magicFormat, meanAbsDiff, oracleDecode, type Format, type Golden, type Picture } from './oracle';

export async function fixture(path: string): Promise<Uint8Array> {
  const response = await env.FIXTURES.fetch(`http://fixtures/${path}`);
  if (!response.ok) throw new Error(`fixture ${path}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The names in a fixture folder (workerd's disk service lists it as `{ name, type }` entries). */
export async function listFixtures(folder: string): Promise<string[]> {
  const entries: { name: string }[] = await (await env.FIXTURES.fetch(`http://fixtures/${folder}`)).json();
  return entries.map((entry) => entry.name);
}

let counter = 0;
/** A key no other test uses, so tests never see each other's objects. */
export const uniqueKey = (name: string) => `t${Date.now().toString(36)}-${counter++}/${name}`;

export async function putOriginal(key: string, bytes: Uint8Array | string): Promise<string> {
  await env.ORIGINALS.put(key, bytes);
  return key;
}

export async function putFixture(path: string, name = path.split('/').pop()!): Promise<string> {
  return putOriginal(uniqueKey(name), await fixture(path));
}

/**
 * Calls the worker as the runtime would, optionally with extra variables,
 * and waits for its write-backs (ctx.waitUntil) before returning.
 */
export async function request(path: string, init?: RequestInit, vars: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://localhost${path}`, init), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

export const img = (options: string, key: string, init?: RequestInit, vars?: Record<string, string>) =>
  request(`/img/${options}/${encodeKey(key)}`, init, vars);

/**
 * Decodes a response body with an independent decoder (test/oracle.ts: jsquash's mozjpeg, libwebp, png and
 * libavif builds, never edgepix's codecs) for the format its magic bytes name, checking Content-Type and
 * Content-Length agree.
 */
export async function decodeResponse(response: Response): Promise<Picture & { format: Format }> {
  expect(response.status, await peekProblem(response)).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect(Number(response.headers.get('Content-Length'))).toBe(bytes.length);
  const format = magicFormat(bytes);
  if (!format) throw new Error(`response is not an image (starts ${[...bytes.subarray(0, 12)]})`);
  expect(response.headers.get('Content-Type')).toBe(`image/${format}`);
  return { ...(await oracleDecode(bytes, format)), format };
}

async function peekProblem(response: Response): Promise<string> {
  return response.status === 200 ? '' : await response.clone().text();
}

/**
 * Mean absolute difference per channel (0–255) after area-averaging both pictures to `size` px wide (or the
 * narrower one's width; the height from `a`'s aspect) with the test's own downscale (test/oracle.ts),
 * not edgepix's resizer: at that size what remains is the picture, not a resampler's or an encoder's detail.
 */
export async function meanDifference(a: Picture, b: Picture, size = 48): Promise<number> {
  const width = Math.min(size, a.width, b.width);
  const height = Math.min(a.height, b.height, Math.max(1, Math.round((width * a.height) / a.width)));
  return meanAbsDiff(boxDownscale(a, width, height), boxDownscale(b, width, height));
}

const decodedFixtures = new Map<string, Promise<Picture>>();
/** A fixture decoded by the independent decoder, once per test file (callers only read it). */
export function decodedFixture(path: string): Promise<Picture> {
  let decoded = decodedFixtures.get(path);
  if (!decoded) decodedFixtures.set(path, (decoded = fixture(path).then((bytes) => oracleDecode(bytes))));
  return decoded;
}

let references: Promise<Record<string, Golden>> | undefined;
/** A sharp-made reference from test/fixtures/oracle-golden/references.json (scripts/oracle-goldens.mjs). */
export async function reference(name: string): Promise<Picture> {
  references ??= fixture('oracle-golden/references.json').then((bytes) => JSON.parse(new TextDecoder().decode(bytes)));
  const golden = (await references)[name];
  if (!golden) throw new Error(`no reference ${name}: run node scripts/oracle-goldens.mjs`);
  return inflateGolden(golden);
}

export async function expectProblem(response: Response, status: number, detailPattern?: RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers.get('Content-Type')).toBe('application/problem+json');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String) });
  expect(typeof body.detail).toBe('string');
  if (detailPattern) expect(body.detail).toMatch(detailPattern);
  return body;
}

export async function countVariants(originalKey: string): Promise<number> {
  const listed = await env.VARIANTS.list({ prefix: `${encodeURIComponent(originalKey)}/` });
  return listed.objects.length;
}

/** The management API's token in tests, passed as a variable so a developer's .dev.vars never matters. */
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Calls the management API with the admin token (or `token`), returning the response. */
export function api(path: string, init: RequestInit = {}, vars: Record<string, string> = {}, token = ADMIN_TOKEN) {
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  return request(`/api/v1${path}`, { ...init, headers }, { ADMIN_TOKEN, ...vars });
}

/** A multipart body with one `file` field per entry, plus plain fields. */
export function uploadForm(files: [name: string, bytes: Uint8Array | string][], fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [name, bytes] of files) form.append('file', new File([bytes], name));
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

export async function countObjects(bucket: R2Bucket, prefix: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    count += page.objects.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return count;
}

/** Runs one step over a whole picture; a step with nothing to do gives its input back. */
export async function applyStep(step: Step, image: RgbaImage, context: StepContext): Promise<RgbaImage> {
  const stage = step(image, context);
  return stage ? replay(image, stage.connect(collect(stage.output))) : image;
}
