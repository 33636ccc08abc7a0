import { describe, expect, it } from 'vitest';
import { countVariants, expectProblem, fixture, img, putOriginal, request, uniqueKey } from './helpers';

const sample = () => fixture('formats/320x240.jpg');

async function stored(bytes: Uint8Array | string, name = 'x.jpg') {
  return putOriginal(uniqueKey(name), bytes);
}

/** A PNG whose header claims any size: signature, IHDR, IEND (CRCs are not checked before the limit). */
function forgedPng(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(8 + 25 + 12);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(8, 13);
  bytes.set([...'IHDR'].map((c) => c.charCodeAt(0)), 12);
  dv.setUint32(16, width);
  dv.setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24);
  bytes.set([...'IEND'].map((c) => c.charCodeAt(0)), 8 + 25 + 4);
  return bytes;
}

describe('400 invalid options, naming the option', () => {
  it.each([
    ['wdth=100', /Unknown option "wdth"/],
    ['width=abc', /for width but received "abc"/],
    ['width=0', /for width/],
    ['width=-5', /for width/],
    ['quality=101', /1 to 100 for quality/],
    ['fit=stretch', /for fit but received "stretch"/],
    ['format=bmp', /for format/],
    ['dpr=5', /from 1 to 4 for dpr/],
    ['gravity=north', /for gravity/],
    ['gravity=2x0.5', /for gravity/],
    ['background=notacolour', /for background/],
    ['width=100,width=200', /more than once/],
    ['width', /Unknown preset "width".*name=value/],
    ['width=100,,height=5', /Expected name=value/],
    ['width=13000', /exceeds the maximum output dimension of 12000/],
    ['width=7000,dpr=2', /width=7000 at dpr=2 exceeds/],
  ])('%s', async (options, detail) => {
    const key = await stored(await sample());
    await expectProblem(await img(options, key), 400, detail);
    expect(await countVariants(key)).toBe(0);
  });

  it.each([
    ['/img/width=100/a%2F%2E%2E%2Fb.jpg', 400], // URL parsing resolves a literal ../, an encoded one reaches us
    ['/img/width=100/a//b.jpg', 400],
    ['/img/width=100/%E0%A4%A.jpg', 400],
    ['/img/width=100', 400],
    ['/img/width=100/a%00b.jpg', 400],
  ])('bad key or path %s', async (path, status) => {
    await expectProblem(await request(path), status);
  });
});

describe('404', () => {
  it('missing original', async () => {
    await expectProblem(await img('width=100', uniqueKey('missing.jpg')), 404, /No original/);
  });
  it('unknown route', async () => {
    await expectProblem(await request('/nothing-here'), 404);
  });
});

describe('413 too large, before any decoding', () => {
  it('original over MAX_ORIGINAL_BYTES', async () => {
    const key = await stored(await sample());
    await expectProblem(await img('width=100', key, undefined, { MAX_ORIGINAL_BYTES: '1000' }), 413, /MAX_ORIGINAL_BYTES/);
    expect(await countVariants(key)).toBe(0);
  });
  it('header claiming 60000×60000 pixels (decompression bomb)', async () => {
    const key = await stored(forgedPng(60000, 60000), 'bomb.png');
    await expectProblem(await img('width=100', key), 413, /60000×60000.*MAX_INPUT_PIXELS/);
  });
  it('output over MAX_OUTPUT_DIMENSION after fitting', async () => {
    const key = await stored(await sample());
    await expectProblem(await img('height=12000,fit=contain', key), 413, /16000×12000.*MAX_OUTPUT_DIMENSION/);
  });
});

describe('415 not an image we serve', () => {
  const html = '<!doctype html><html><script>alert(1)</script></html>';
  it.each([
    ['zero bytes', new Uint8Array(0), /empty/],
    ['random bytes', crypto.getRandomValues(new Uint8Array(2048)), /not a recognised image/],
    ['a PDF named .jpg', new TextEncoder().encode('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), /PDF/],
    ['an SVG with a script', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), /SVG/],
    ['HTML', new TextEncoder().encode(html), /markup/],
    ['HEIC', new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic\0\0\0\0mif1heic')]), /HEIF/],
  ])('%s', async (_, bytes, detail) => {
    const key = await stored(bytes as Uint8Array);
    await expectProblem(await img('width=100', key), 415, detail);
    expect(await countVariants(key)).toBe(0);
  });
});

describe('422 corrupt image', () => {
  it('JPEG cut off inside its header', async () => {
    const bytes = await sample();
    await expectProblem(await img('width=100', await stored(bytes.slice(0, 300))), 422);
  });
  it('PNG cut off inside its pixel data', async () => {
    const bytes = await fixture('formats/with-alpha.png');
    await expectProblem(await img('width=100', await stored(bytes.slice(0, bytes.length / 2), 'x.png')), 422);
  });
  it('PNG with flipped bytes in its pixel data', async () => {
    const bytes = (await fixture('formats/with-alpha.png')).slice();
    for (let i = 200; i < bytes.length - 20; i += 97) bytes[i] = bytes[i]! ^ 0xff;
    await expectProblem(await img('width=100', await stored(bytes, 'x.png')), 422);
  });
  it('WebP whose payload is garbage', async () => {
    const bytes = (await fixture('formats/4.webp')).slice();
    bytes.fill(0x55, 40);
    await expectProblem(await img('width=100', await stored(bytes, 'x.webp')), 422);
  });
  it('AVIF cut short', async () => {
    const bytes = await fixture('formats/pitm.avif');
    await expectProblem(await img('width=100', await stored(bytes.slice(0, bytes.length / 3), 'x.avif')), 422);
  });
});

describe('misconfiguration fails closed with a clear 500', () => {
  it('non-numeric limit', async () => {
    const key = await stored(await sample());
    await expectProblem(await img('width=100', key, undefined, { MAX_INPUT_PIXELS: 'lots' }), 500, /MAX_INPUT_PIXELS/);
  });
});
