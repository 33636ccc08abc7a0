/** Unit tests of the geometry and effect steps added for Thumbor, on small synthetic images. */
import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../src/codecs/types';
import { planGeometry } from '../src/pipeline/geometry';
import type { StepContext } from '../src/pipeline/step';
import { applyStep } from './helpers';
import { blur } from '../src/pipeline/steps/blur';
import { flip } from '../src/pipeline/steps/flip';
import { grayscale } from '../src/pipeline/steps/grayscale';
import { rotate } from '../src/pipeline/steps/rotate';
import { sharpen } from '../src/pipeline/steps/sharpen';
import { tone } from '../src/pipeline/steps/tone';
import { composeLinear, contrastByPercent, shiftByPercent } from '../src/spec/linear';
import { canonicalize } from '../src/spec/canonical';
import { DEFAULT_SPEC, type TransformSpec } from '../src/spec/transform-spec';
import { parseImagePath } from '../src/url/cloudflare/parse';
import { imageUrl } from '../sdk/sign.js';

/** A w×h image whose pixel (x, y) is rgb(x, y, 7). */
function ramp(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x, y, 7, 255], (y * width + x) * 4);
  }
  return { width, height, data };
}

const at = (image: RgbaImage, x: number, y: number) => [...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4)];
const context = (spec: Partial<TransformSpec>) =>
  ({ spec: { ...DEFAULT_SPEC, format: 'png', ...spec } }) as unknown as StepContext;

describe('geometry added for Thumbor', () => {
  const source = { width: 1000, height: 500 };
  it('a manual crop comes first, and the fit is planned inside it', async () => {
    const plan = planGeometry(source, { ...DEFAULT_SPEC, crop: { x: 100, y: 50, width: 400, height: 400 }, width: 100, height: 50, fit: 'cover' });
    expect(plan.region).toEqual({ x: 100, y: 150, width: 400, height: 200 });
    expect(plan.output).toEqual({ width: 100, height: 50 });
  });
  it('a crop reaching past the picture is clamped to it', async () => {
    const plan = planGeometry(source, { ...DEFAULT_SPEC, crop: { x: 900, y: 0, width: 400, height: 9999 } });
    expect(plan.region).toEqual({ x: 900, y: 0, width: 100, height: 500 });
  });
  it('outside covers the box without cropping, enlarging if need be (as Thumbor full-fit-in does)', async () => {
    expect(planGeometry(source, { ...DEFAULT_SPEC, fit: 'outside', width: 100, height: 100 }).output).toEqual({ width: 200, height: 100 });
    expect(planGeometry(source, { ...DEFAULT_SPEC, fit: 'outside', width: 2000, height: 100 }).output).toEqual({ width: 2000, height: 1000 });
  });
  it('adaptive turns a portrait box for a landscape picture', async () => {
    expect(planGeometry(source, { ...DEFAULT_SPEC, width: 100, height: 400 }).output).toEqual({ width: 100, height: 50 });
    expect(planGeometry(source, { ...DEFAULT_SPEC, adaptive: true, width: 100, height: 400 }).output).toEqual({ width: 200, height: 100 });
  });
});

describe('effect steps', () => {
  it('flip mirrors each axis; both is a half turn', async () => {
    expect(at(await applyStep(flip, ramp(4, 3), context({ flipHorizontal: true })), 0, 0)).toEqual([3, 0, 7, 255]);
    expect(at(await applyStep(flip, ramp(4, 3), context({ flipVertical: true })), 0, 0)).toEqual([0, 2, 7, 255]);
    expect(at(await applyStep(flip, ramp(4, 3), context({ flipHorizontal: true, flipVertical: true })), 0, 0)).toEqual([3, 2, 7, 255]);
  });
  it('rotate turns clockwise, swapping the sides', async () => {
    const turned = await applyStep(rotate, ramp(4, 3), context({ rotate: 90 }));
    expect([turned.width, turned.height]).toEqual([3, 4]);
    expect(at(turned, 0, 0)).toEqual([0, 2, 7, 255]); // the bottom-left corner comes to the top-left
    expect(at(await applyStep(rotate, ramp(4, 3), context({ rotate: 270 })), 0, 0)).toEqual([3, 0, 7, 255]);
  });
  it('every step returns its input untouched when unset', async () => {
    const image = ramp(4, 3);
    for (const step of [flip, rotate, grayscale, tone, blur, sharpen]) expect(step(image, context({}))).toBeUndefined();
  });
  it('grayscale sets every channel to the luma and keeps alpha', async () => {
    const gray = await applyStep(grayscale, { width: 1, height: 1, data: new Uint8ClampedArray([255, 0, 0, 100]) }, context({ grayscale: true }));
    expect([...gray.data]).toEqual([76, 76, 76, 100]);
  });
  it("Thumbor's brightness adds a share of full scale; its contrast spreads around mid-grey; in URL order", async () => {
    const pixel = () => ({ width: 1, height: 1, data: new Uint8ClampedArray([100, 200, 250, 255]) });
    expect([...(await applyStep(tone, pixel(), context({ linear: shiftByPercent(10) }))).data]).toEqual([126, 226, 255, 255]);
    const both = composeLinear(shiftByPercent(10), contrastByPercent(50));
    // 100 + 25.5, then (x − 128) × 2.97 + 128: the brightened value is spread, not the original one.
    expect((await applyStep(tone, pixel(), context({ linear: both }))).data[0]).toBe(Math.round((125.5 - 128) * ((259 * 382.5) / (255 * 131.5)) + 128));
    const stretched = (await applyStep(tone, pixel(), context({ linear: contrastByPercent(50) }))).data;
    expect(stretched[0]).toBeLessThan(100);
    expect(stretched[1]).toBeGreaterThan(200);
    expect(stretched[3]).toBe(255);
  });
  it('blur spreads a single bright pixel; sharpen steepens an edge', async () => {
    const dot = { width: 9, height: 9, data: new Uint8ClampedArray(9 * 9 * 4).fill(0) };
    dot.data.set([255, 255, 255, 255], (4 * 9 + 4) * 4);
    const blurred = await applyStep(blur, dot, context({ blur: 1.5 }));
    expect(at(blurred, 4, 4)[0]).toBeLessThan(100);
    expect(at(blurred, 5, 4)[0]).toBeGreaterThan(0);
    const edge = ramp(16, 1);
    for (let x = 0; x < 16; x++) edge.data.fill(x < 8 ? 100 : 150, x * 4, x * 4 + 3);
    const sharp = await applyStep(sharpen, edge, context({ sharpen: { amount: 2, radius: 1 } }));
    expect(at(sharp, 7, 0)[0]).toBeLessThan(100);
    expect(at(sharp, 8, 0)[0]).toBeGreaterThan(150);
  });
});

describe('canonical form of the new fields', () => {
  const base = { ...DEFAULT_SPEC, width: 100, format: 'webp' as const };
  it('absent fields leave existing variant keys unchanged', async () => {
    expect(canonicalize(base)).toBe('w=100,f=webp');
  });
  it('each field makes its own variant', async () => {
    const forms = [
      { crop: { x: 1, y: 2, width: 3, height: 4 } }, { adaptive: true }, { flipHorizontal: true }, { flipVertical: true },
      { rotate: 90 as const }, { grayscale: true }, { linear: shiftByPercent(5) }, { linear: contrastByPercent(5) }, { blur: 1 },
      { sharpen: { amount: 1.5, radius: 2 } }, { sharpen: { amount: 1, radius: 5.2 } }, { maxBytes: 1000 }, { fit: 'outside' as const },
    ].map((extra) => canonicalize({ ...base, ...extra }));
    expect(new Set(forms).size).toBe(forms.length);
  });
});

it('the SDK URL builder writes options the /img parser reads back', async () => {
  const path = imageUrl('a b/c.jpg', {
    width: 300, height: 200, fit: 'cover', gravity: { x: 0.25, y: 1 }, quality: 70, format: 'webp', dpr: 2, background: '#ff000080',
  });
  expect(parseImagePath(path.slice('/img/'.length), { maxOutputDimension: 12000, presets: new Map(), presetsOnly: false, origins: [] })).toEqual({
    json: false,
    key: 'a b/c.jpg',
    spec: { width: 600, height: 400, fit: 'cover', gravity: { x: 0.25, y: 1 }, quality: 70, format: 'webp', background: { r: 255, g: 0, b: 0, a: 128 } },
  });
});
