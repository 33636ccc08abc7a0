import { describe, expect, it } from 'vitest';
import { planGeometry } from '../src/pipeline/geometry';
import { DEFAULT_SPEC, type Fit, type TransformSpec } from '../src/spec/transform-spec';
import { decodedFixture, decodeResponse, img, meanDifference, putFixture } from './helpers';
import { cut } from './oracle';

const spec = (fit: Fit, width?: number, height?: number): TransformSpec => ({ ...DEFAULT_SPEC, fit, width, height });

// source 1000×500 (2:1); [fit, width, height, expected output, expected region]
const TABLE: [Fit, number | undefined, number | undefined, [number, number], [number, number, number, number]][] = [
  ['scale-down', 400, 400, [400, 200], [0, 0, 1000, 500]],
  ['scale-down', 2000, 2000, [1000, 500], [0, 0, 1000, 500]],
  ['contain', 400, 400, [400, 200], [0, 0, 1000, 500]],
  ['contain', 2000, 2000, [2000, 1000], [0, 0, 1000, 500]],
  ['cover', 400, 400, [400, 400], [250, 0, 500, 500]],
  ['cover', 2000, 2000, [2000, 2000], [250, 0, 500, 500]],
  ['crop', 400, 400, [400, 400], [250, 0, 500, 500]],
  ['crop', 800, 800, [800, 500], [100, 0, 800, 500]],
  ['crop', 2000, 2000, [1000, 500], [0, 0, 1000, 500]],
  ['pad', 400, 400, [400, 400], [0, 0, 1000, 500]],
  ['squeeze', 400, 400, [400, 400], [0, 0, 1000, 500]],
  ['scale-down', 400, undefined, [400, 200], [0, 0, 1000, 500]],
  ['scale-down', undefined, 100, [200, 100], [0, 0, 1000, 500]],
  ['cover', 300, undefined, [300, 150], [0, 0, 1000, 500]],
  ['scale-down', undefined, undefined, [1000, 500], [0, 0, 1000, 500]],
];

describe('planGeometry', () => {
  it.each(TABLE)('%s %sx%s → %j', (fit, width, height, output, region) => {
    const plan = planGeometry({ width: 1000, height: 500 }, spec(fit, width, height));
    expect([plan.output.width, plan.output.height]).toEqual(output);
    const r = plan.region;
    expect([r.x, r.y, r.width, r.height]).toEqual(region);
  });

  it('a cover is the box exactly, even when its region rounds (433 rows × 3 would be 1299)', () => {
    const plan = planGeometry({ width: 1000, height: 500 }, spec('cover', 3000, 1300));
    expect(plan.output).toEqual({ width: 3000, height: 1300 });
    expect(plan.region).toEqual({ x: 0, y: 34, width: 1000, height: 433 });
  });

  it('pads by centring the scaled image on the canvas', () => {
    const plan = planGeometry({ width: 1000, height: 500 }, spec('pad', 400, 400));
    expect(plan.scaled).toEqual({ width: 400, height: 200 });
    expect(plan.canvas).toEqual({ x: 0, y: 100, width: 400, height: 400 });
  });

  it('moves the cover region towards the gravity point, clamped to the image', () => {
    const left = planGeometry({ width: 1000, height: 500 }, { ...spec('cover', 400, 400), gravity: { x: 0, y: 0.5 } });
    expect(left.region.x).toBe(0);
    const right = planGeometry({ width: 1000, height: 500 }, { ...spec('cover', 400, 400), gravity: { x: 1, y: 0.5 } });
    expect(right.region.x).toBe(500);
    const quarter = planGeometry({ width: 1000, height: 500 }, { ...spec('cover', 400, 400), gravity: { x: 0.3, y: 0.5 } });
    expect(quarter.region.x).toBe(50);
  });
});

describe('fit modes over HTTP keep the aspect ratio and hit the table (320×240 JPEG)', () => {
  // [options, width, height, the part of the original shown: [x, y, width, height] (cover and crop centred)]
  const WHOLE: [number, number, number, number] = [0, 0, 320, 240];
  const CASES: [string, number, number, [number, number, number, number]][] = [
    ['width=160', 160, 120, WHOLE],
    ['height=60', 80, 60, WHOLE],
    ['width=100,height=100', 100, 75, WHOLE],
    ['width=1000', 320, 240, WHOLE],
    ['width=640,fit=contain', 640, 480, WHOLE],
    ['width=100,height=100,fit=cover', 100, 100, [40, 0, 240, 240]],
    ['width=100,height=100,fit=crop', 100, 100, [40, 0, 240, 240]],
    ['width=400,height=100,fit=crop', 320, 100, [0, 70, 320, 100]],
    ['width=100,height=100,fit=pad', 100, 100, WHOLE],
    ['width=100,height=30,fit=squeeze', 100, 30, WHOLE],
    ['width=100,dpr=2', 200, 150, WHOLE],
  ];
  it.each(CASES)('%s → %i×%i', async (options, width, height, [x, y, w, h]) => {
    const key = await putFixture('formats/320x240.jpg');
    const image = await decodeResponse(await img(options, key));
    expect([image.width, image.height]).toEqual([width, height]);
    // The pixels are that part of the original (jsquash's decode): compared 16 px wide, within 0.4–2.3 levels
    // (JPEG re-encoding; the picture pad centres is 100×75, 12 rows down). Flat grey gives 57.
    const shown = options.includes('fit=pad') ? cut(image, 0, 12, 100, 75) : image;
    expect(await meanDifference(shown, cut(await decodedFixture('formats/320x240.jpg'), x, y, w, h), 16)).toBeLessThan(3.5);
  });
});

it('a derived side never constrains the given one (4096×800 at width=400 is 400 wide)', () => {
  const plan = planGeometry({ width: 4096, height: 800 }, spec('scale-down', 400));
  expect(plan.output).toEqual({ width: 400, height: 78 });
  const cover = planGeometry({ width: 4096, height: 800 }, spec('cover', 400));
  expect(cover.output).toEqual({ width: 400, height: 78 });
});
