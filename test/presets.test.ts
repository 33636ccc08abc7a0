import { describe, expect, it } from 'vitest';
import { api, countVariants, decodeResponse, expectProblem, fixture, img, putFixture, request } from './helpers';

const THUMB = 'width=200,height=200,fit=cover,format=auto'; // as in wrangler.toml

describe('presets', () => {
  it('/img/<preset>, preset=<name> and the spelled-out options share one variant', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const accept = { headers: { Accept: 'image/webp' } };
    const first = await img('thumb', key, accept);
    const image = await decodeResponse(first.clone());
    expect([image.width, image.height, image.format]).toEqual([200, 200, 'webp']);
    const etag = first.headers.get('ETag');
    for (const options of ['preset=thumb', 'fit=cover,format=auto,h=200,w=200', THUMB]) {
      const response = await img(options, key, accept);
      expect(response.headers.get('X-Edgepix-Cache')).toBe('edge');
      expect(response.headers.get('ETag')).toBe(etag);
    }
    expect(await countVariants(key)).toBe(1);
  });

  it('an unknown preset is 400 naming the configured ones', async () => {
    const key = await putFixture('formats/320x240.jpg');
    await expectProblem(await img('thumbnail', key), 400, /Unknown preset "thumbnail" \(presets: thumb, card, hero\)/);
    await expectProblem(await img('preset=nope', key), 400, /Unknown preset "nope"/);
  });

  it('come from the PRESETS variable, and upload replies link each', async () => {
    const vars = { PRESETS: '{"tiny": "w=10,f=png"}' };
    const key = await putFixture('formats/320x240.jpg');
    const image = await decodeResponse(await img('tiny', key, undefined, vars));
    expect([image.width, image.format]).toEqual([10, 'png']);
    const upload = await api(`/images/${key}-copy.jpg`, { method: 'PUT', body: await fixture('formats/320x240.jpg') }, vars);
    expect((await upload.json<{ urls: object }>()).urls).toEqual({ tiny: `http://localhost/img/tiny/${key}-copy.jpg` });
  });

  it.each([
    ['not json', /PRESETS: must be a JSON object/],
    ['["thumb"]', /PRESETS: must be a JSON object/],
    ['{"thumb": "width=abc"}', /PRESETS: thumb: Expected a whole number/],
    ['{"a=b": "width=10"}', /PRESETS: a=b: a name is/],
    ['{"x": 10}', /PRESETS: x: must be an option string/],
  ])('a bad PRESETS (%s) is a 500 naming it', async (presets, detail) => {
    const key = await putFixture('formats/320x240.jpg');
    await expectProblem(await img('width=10', key, undefined, { PRESETS: presets }), 500, detail);
  });
});

describe('PRESETS_ONLY=true', () => {
  const only = { PRESETS_ONLY: 'true' };

  it('refuses arbitrary options with 403 and serves presets and metadata', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const body = await expectProblem(await img('width=100', key, undefined, only), 403, /Only presets.*thumb, card, hero/);
    expect(body.type).toMatch(/#problem-presets-only$/);
    await expectProblem(await img(THUMB, key, undefined, only), 403);
    expect(await countVariants(key)).toBe(0);
    expect((await img('card', key, undefined, only)).status).toBe(200);
    expect((await img('preset=hero', key, undefined, only)).status).toBe(200);
    expect((await img('format=json', key, undefined, only)).status).toBe(200);
  });

  it('rejects a bad PRESETS_ONLY value as misconfigured', async () => {
    await expectProblem(await request('/img/thumb/x.jpg', undefined, { PRESETS_ONLY: 'yes' }), 500, /PRESETS_ONLY/);
  });
});
