import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { request } from './helpers';

interface Document {
  openapi: string;
  paths: Record<string, Record<string, unknown> & { 'x-edgepix-route': string }>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

describe('GET /api/v1/openapi.json', () => {
  it('is OpenAPI 3.1 and lists every registered route, and nothing else', async () => {
    const response = await request('/api/v1/openapi.json');
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    const document = JSON.parse(await response.text()) as Document;
    expect(document.openapi).toBe('3.1.0');

    const documented = new Set(
      Object.values(document.paths).flatMap((item) =>
        METHODS.filter((m) => m in item).map((m) => `${m.toUpperCase()} ${item['x-edgepix-route']}`),
      ),
    );
    // Middleware is registered as ALL; handlers under their own method.
    const registered = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
    expect([...registered].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !registered.has(r))).toEqual([]);
    expect(registered.size).toBeGreaterThanOrEqual(8);
  });

  it('every operation documents its problem responses through one shared component', async () => {
    const document = await (await request('/api/v1/openapi.json')).json<Document & { components: { responses: object } }>();
    expect(document.components.responses).toHaveProperty('Problem');
    const post = document.paths['/api/v1/images']!.post as { responses: Record<string, unknown> };
    for (const status of ['401', '409', '413', '415', '422']) expect(post.responses[status]).toEqual({ $ref: '#/components/responses/Problem' });
  });
});
