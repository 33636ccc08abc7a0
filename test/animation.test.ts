import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { readAnimatedWebp, readGif, sharpFrames } from './animated';
import type { Picture } from './oracle';
import { countVariants, decodeResponse, expectProblem, fixture, img, meanDifference, putFixture, putOriginal, request, uniqueKey } from './helpers';

const ACCEPT_WEBP = { headers: { Accept: 'image/avif,image/webp,*/*' } };
const FIXTURES = ['formats/animated-loop-3.gif', 'formats/animated-loop-3.webp', 'formats/rotating-squares.gif', 'derived/animated-lossless.webp', 'derived/dispose-background.webp'];

/** The share of pixels whose coverage differs (one transparent, the other opaque): what a disposal done wrong leaves. */
function coverageMismatch(a: Picture, b: Picture): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let wrong = 0;
  for (let i = 3; i < a.data.length; i += 4) if (Math.abs(a.data[i]! - b.data[i]!) > 128) wrong++;
  return wrong / (a.width * a.height);
}

async function body(response: Response): Promise<Uint8Array> {
  expect(response.status, response.status === 200 ? '' : await response.clone().text()).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

describe('animated originals stay animated', () => {
  it.each(FIXTURES)('%s → animated WebP: every frame, delay and the loop count as sharp reads the original', async (path) => {
    const expected = await sharpFrames(path.split('/')[1]!);
    const response = await img('format=webp', await putFixture(path));
    expect(response.headers.get('X-Edgepix-Animation')).toBeNull();
    const out = await readAnimatedWebp(await body(response));
    expect([out.width, out.height, out.loop]).toEqual([expected.width, expected.height, expected.loop]);
    expect(out.delay).toEqual(expected.delay);
    expect(out.frames).toHaveLength(expected.frames.length);
    for (const [i, frame] of out.frames.entries()) {
      expect(await meanDifference(frame, expected.frames[i]!), `frame ${i}`).toBeLessThan(4);
      expect(coverageMismatch(frame, expected.frames[i]!), `frame ${i}`).toBeLessThan(0.002);
    }
  });

  it.each(FIXTURES)('%s → animated GIF (format=gif): the same frames, delays and loop count', async (path) => {
    const expected = await sharpFrames(path.split('/')[1]!);
    const out = readGif(await body(await img('format=gif', await putFixture(path))));
    expect([out.width, out.height, out.loop]).toEqual([expected.width, expected.height, expected.loop]);
    expect(out.delay).toEqual(expected.delay);
    for (const [i, frame] of out.frames.entries()) {
      expect(await meanDifference(frame, expected.frames[i]!), `frame ${i}`).toBeLessThan(6);
      // GIF's alpha is one bit: antialiased edges of the WebP round either way.
      expect(coverageMismatch(frame, expected.frames[i]!), `frame ${i}`).toBeLessThan(0.005);
    }
  });

  it('disposal (keep, restore previous, restore to background), transparency, interlacing and a frame overhanging the screen, pixel for pixel as sharp composes them', async () => {
    // derived/disposal.gif: 4 colours, 8×8 (scripts/animation-goldens.mjs); GIF out keeps them to within RGBA4444 rounding.
    const expected = await sharpFrames('disposal.gif');
    const out = readGif(await body(await img('format=gif', await putFixture('derived/disposal.gif'))));
    expect(out.frames).toHaveLength(5);
    for (const [i, frame] of out.frames.entries()) {
      const worst = frame.data.reduce((max, value, at) => Math.max(max, Math.abs(value - expected.frames[i]!.data[at]!)), 0);
      expect(worst, `frame ${i}`).toBeLessThanOrEqual(10);
    }
  });
});

describe('resizing an animation resizes every frame', () => {
  it('width=200,format=auto with Accept image/webp: an animated WebP 200 px wide, each frame the picture sharp reads', async () => {
    const expected = await sharpFrames('animated-loop-3.gif');
    const response = await img('width=200,format=auto', await putFixture('formats/animated-loop-3.gif'), ACCEPT_WEBP);
    expect(response.headers.get('Content-Type')).toBe('image/webp');
    expect(response.headers.get('Vary')).toBe('Accept');
    const out = await readAnimatedWebp(await body(response));
    expect([out.width, out.height]).toEqual([200, 154]);
    expect(out.delay).toEqual(expected.delay);
    for (const [i, frame] of out.frames.entries()) expect(await meanDifference(frame, expected.frames[i]!), `frame ${i}`).toBeLessThan(4);
  });

  it('format=auto without image/webp in Accept: an animated GIF', async () => {
    const response = await img('width=40,format=auto', await putFixture('formats/rotating-squares.gif'), { headers: { Accept: 'image/*' } });
    expect(response.headers.get('Content-Type')).toBe('image/gif');
    const out = readGif(await body(response));
    expect([out.width, out.height, out.frames.length]).toEqual([40, 40, 30]);
  });

  it('Thumbor URLs resize animations too, and format(gif) is accepted', async () => {
    const key = await putFixture('formats/rotating-squares.gif');
    const response = await request(`/thumbor/unsafe/40x0/filters:format(gif)/${key}`, undefined, { THUMBOR_ALLOW_UNSAFE: 'true' });
    const out = readGif(await body(response));
    expect([out.width, out.height, out.frames.length]).toEqual([40, 40, 30]);
  });

  it('tone filters apply to every frame once (the canvas each frame is composed on is never edited)', async () => {
    // Its frames are drawn over the ones before (disposal 1): darkening the canvas itself would compound (brightening saturates).
    const expected = await sharpFrames('animated-loop-3.gif');
    const key = await putFixture('formats/animated-loop-3.gif');
    const response = await request(`/thumbor/unsafe/filters:brightness(-20):format(webp)/${key}`, undefined, { THUMBOR_ALLOW_UNSAFE: 'true' });
    const out = await readAnimatedWebp(await body(response));
    for (const [i, frame] of out.frames.entries()) {
      const darker = expected.frames[i]!.data.map((value, at) => (at % 4 === 3 ? value : value - 51));
      expect(await meanDifference(frame, { ...expected.frames[i]!, data: darker }), `frame ${i}`).toBeLessThan(4);
    }
  });
});

describe('the first frame alone', () => {
  it.each([
    ['anim=false', 'anim=false,format=webp', 'webp'],
    ['a format without animation', 'format=png', 'png'],
  ])('%s: one frame, the first as sharp reads it, with X-Edgepix-Animation: first-frame', async (_, options, format) => {
    const expected = await sharpFrames('animated-loop-3.webp');
    const response = await img(options, await putFixture('formats/animated-loop-3.webp'));
    expect(response.headers.get('X-Edgepix-Animation')).toBe('first-frame');
    const image = await decodeResponse(response);
    expect(image.format).toBe(format);
    expect(await meanDifference(image, expected.frames[0]!)).toBeLessThan(4);
  });

  it('over MAX_ANIMATION_PIXELS (frames × area), a sane animation is served as its first frame, still', async () => {
    // 10 frames of 370×285 are 1.05 MP.
    const response = await img('format=webp', await putFixture('formats/animated-loop-3.gif'), undefined, { MAX_ANIMATION_PIXELS: '1000000' });
    expect(response.headers.get('X-Edgepix-Animation')).toBe('first-frame');
    const bytes = await body(response);
    expect(new TextDecoder().decode(bytes).includes('ANMF')).toBe(false);
  });

  it('the header comes with the variant from every tier', async () => {
    const key = await putFixture('formats/animated-loop-3.gif');
    await img('format=jpeg,width=50', key);
    const again = await img('format=jpeg,width=50', key);
    expect(again.headers.get('X-Edgepix-Cache')).not.toBe('miss');
    expect(again.headers.get('X-Edgepix-Animation')).toBe('first-frame');
  });
});

/** A GIF of `frames` 1×1 frames on a `width`×`height` logical screen (each frame LZW-codes one pixel). */
function frameBomb(frames: number, width: number, height: number): Uint8Array {
  const head = [...new TextEncoder().encode('GIF89a'), width & 255, width >> 8, height & 255, height >> 8, 0x80, 0, 0, 0, 0, 0, 255, 255, 255];
  const frame = [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0];
  return new Uint8Array([...head, ...Array.from({ length: frames }, () => frame).flat(), 0x3b]);
}

describe('limits', () => {
  it.each([
    ['5000 frames on a 60000×60000 screen', frameBomb(5000, 60000, 60000), /MAX_INPUT_PIXELS|MAX_ANIMATION_FRAMES/],
    ['5000 frames on a 100×100 screen', frameBomb(5000, 100, 100), /5000 frames.*MAX_ANIMATION_FRAMES/],
  ])('a frame bomb (%s) is refused up front with 413, quickly', async (_, bytes, detail) => {
    const key = await putFixture('formats/rotating-squares.gif');
    await env.ORIGINALS.put(key, bytes);
    const started = Date.now();
    await expectProblem(await img('width=50,format=auto', key, ACCEPT_WEBP), 413, detail);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('an animation over MAX_WORKING_MEMORY is 413 naming what it costs: the canvas, the steps, one frame encoding, the frames kept', async () => {
    const key = await putFixture('formats/animated-loop-3.gif');
    await expectProblem(
      await img('format=webp', key, undefined, { MAX_WORKING_MEMORY: String(1024 * 1024) }),
      413,
      /370×285 GIF decoded at 370×285, WEBP output at 370×285: input 1 MiB, composing 1 MiB, encoding \d+ MiB, encoded frames \d+ MiB\); the limit \(MAX_WORKING_MEMORY\) is 1 MiB/,
    );
  });

  it('an opaque animation that would not fit as WebP is refused, not served as a JPEG still', async () => {
    // Without VP8X's alpha flag the animation is opaque, and a still WebP would fall back to baseline JPEG.
    const bytes = new Uint8Array(await fixture('formats/animated-loop-3.webp'));
    bytes[20] = bytes[20]! & ~0x10;
    const key = await putOriginal(uniqueKey('opaque.webp'), bytes);
    await expectProblem(await img('format=webp', key, undefined, { MAX_WORKING_MEMORY: String(4 * 1024 * 1024) }), 413, /WEBP output at 370×285/);
  });

  it('more frames than MAX_ANIMATION_FRAMES is 413, whatever the output', async () => {
    const key = await putFixture('formats/animated-loop-3.webp');
    for (const options of ['format=webp', 'anim=false,format=jpeg']) {
      await expectProblem(await img(options, key, undefined, { MAX_ANIMATION_FRAMES: '9' }), 413, /10 frames; the limit \(MAX_ANIMATION_FRAMES\) is 9/);
    }
  });

  it.each([
    ['cut short', async () => (await fixture('formats/rotating-squares.gif')).subarray(0, 900), /GIF.*ends inside a block/],
    ['without a frame', async () => new TextEncoder().encode('GIF89a\x01\x00\x01\x00\x00\x00\x00;'), /GIF.*no frame/],
  ])('a GIF %s is 422 corrupt-image, never a 500', async (_, bytes, detail) => {
    const key = await putOriginal(uniqueKey('broken.gif'), await bytes());
    await expectProblem(await img('width=40,format=webp', key), 422, detail);
  });

  it('anim=false is part of the variant: the animated and the still variant are two', async () => {
    const key = await putFixture('formats/rotating-squares.gif');
    await body(await img('format=webp', key));
    await body(await img('format=webp,anim=false', key));
    expect(await countVariants(key)).toBe(2);
  });
});

describe('hostile frames', () => {
  it('a GIF frame far larger than its logical screen is 422, before its pixels are decoded', async () => {
    const bytes = frameBomb(2, 10, 10);
    // The second frame claims 65535×65535 (its descriptor's width and height) on the 10×10 screen.
    const second = 13 + 6 + 15;
    bytes.set([255, 255, 255, 255], second + 5);
    const key = await putOriginal(uniqueKey('huge-frame.gif'), bytes);
    for (const options of ['format=webp', 'format=png']) await expectProblem(await img(options, key), 422, /far larger than the 10×10 logical screen/);
  });

  it('an animated WebP frame outside its canvas is 422', async () => {
    const bytes = (await fixture('formats/animated-loop-3.webp')).slice();
    // The first ANMF's width − 1 (24 bits at payload offset 6) made 16384.
    const anmf = new TextDecoder('latin1').decode(bytes).indexOf('ANMF') + 8;
    bytes.set([0xff, 0x3f, 0], anmf + 6);
    const key = await putOriginal(uniqueKey('outside.webp'), bytes);
    await expectProblem(await img('format=webp', key), 422, /outside the canvas/);
  });
});

describe('sharing the isolate', () => {
  it('an animation gives other work a turn between frames, not only at its I/O', async () => {
    const key = await putFixture('formats/rotating-squares.gif'); // 30 frames
    let turns = 0;
    let transforming = true;
    const takeTurn = () => {
      if (!transforming) return;
      turns++;
      setTimeout(takeTurn, 0);
    };
    setTimeout(takeTurn, 0);
    try {
      await body(await img('format=webp', key));
    } finally {
      transforming = false;
    }
    expect(turns).toBeGreaterThanOrEqual(30);
  });
});

describe('after a failure', () => {
  it('TRANSFORM_TIME_LIMIT is checked between frames, and the next request is served', async () => {
    const key = await putFixture('formats/animated-loop-3.gif');
    // The smallest limit is 1 s: a clock that moves 100 ms every time it is read passes it within the frame loop.
    const realNow = Date.now;
    let calls = 0;
    Date.now = () => realNow() + 100 * calls++;
    try {
      await expectProblem(await img('format=webp,width=100', key, undefined, { TRANSFORM_TIME_LIMIT: '1' }), 503, /TRANSFORM_TIME_LIMIT/);
    } finally {
      Date.now = realNow;
    }
    const out = await readAnimatedWebp(await body(await img('format=webp,width=120', key)));
    expect(out.frames).toHaveLength(10);
  });
});
