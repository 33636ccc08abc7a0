import { env, SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';

it('resizes a jpeg', async () => {
  const bytes = await (await env.FIXTURES.fetch('http://fixtures/formats/320x240.jpg')).arrayBuffer();
  await env.ORIGINALS.put('smoke/a.jpg', bytes);
  const res = await SELF.fetch('http://localhost/img/width=100,format=webp/smoke/a.jpg');
  console.log(res.status, [...res.headers], res.status >= 400 ? await res.text() : (await res.arrayBuffer()).byteLength);
  expect(res.status).toBe(200);
});
