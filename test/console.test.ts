import { describe, expect, it } from 'vitest';
import { api, expectProblem, fixture, request, uploadForm } from './helpers';

const CSP = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

describe('the console (Workers Static Assets through the worker)', () => {
  it('/ and the old /upload page redirect to /console/', async () => {
    for (const [path, status] of [['/', 302], ['/upload', 301], ['/console', 301]] as const) {
      const response = await request(path, { redirect: 'manual' });
      expect(response.status, path).toBe(status);
      expect(response.headers.get('Location'), path).toBe('/console/');
    }
  });

  it.each([
    ['/console/', /^text\/html/],
    ['/console/app.js', /^text\/javascript/],
    ['/console/api.js', /^text\/javascript/],
    ['/console/console.css', /^text\/css/],
  ])('%s is served with a strict CSP and the other secure headers', async (path, type) => {
    const response = await request(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(type);
    expect(response.headers.get('Content-Security-Policy')).toBe(CSP);
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(response.headers.get('X-Frame-Options')).toBe('DENY');
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(response.headers.get('Cross-Origin-Resource-Policy')).toBe('same-origin');
    expect(response.headers.get('Cache-Control')).toBe('no-cache');
  });

  it('has no inline script, inline style or inline event handler', async () => {
    const html = await (await request('/console/')).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="[^"]+"/);
      expect((body ?? '').trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b|\sstyle="|\son[a-z]+="/i);
  });

  it('an unknown console file is a 404 problem, still with the CSP', async () => {
    const response = await request('/console/nope.js');
    await expectProblem(response, 404);
    expect(response.headers.get('Content-Security-Policy')).toBe(CSP);
  });

  it('other routes keep the API headers (no console CSP)', async () => {
    const response = await request('/healthz');
    expect(response.headers.get('Content-Security-Policy')).toBeNull();
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });
});

describe('GET /api/v1/images for the console', () => {
  it('lists each original with its file name and ThumbHash placeholder', async () => {
    const prefix = `console-${Date.now().toString(36)}`;
    const upload = await api('/images', { method: 'POST', body: uploadForm([['Holiday photo.jpg', await fixture('formats/320x240.jpg')]], { prefix }) });
    expect(upload.status).toBe(201);
    const list = await (await api(`/images?prefix=${prefix}/`)).json<{ images: Record<string, unknown>[] }>();
    expect(list.images).toHaveLength(1);
    expect(list.images[0]).toMatchObject({ name: 'Holiday photo.jpg', thumbhash: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/), dominantColor: expect.stringMatching(/^#[0-9a-f]{6}$/) });
  });
});
