import readme from '../README.md?raw';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../src/spec/canonical';
import { parseColor } from '../src/spec/color';
import { validateKey } from '../src/lib/keys';
import { OPTIONS } from '../src/url/cloudflare/options';
import { parseOptions, splitOptions } from '../src/url/cloudflare/parse';
import { expectProblem, img, putFixture } from './helpers';

const canonical = (options: string) => canonicalize({ ...parseOptions(splitOptions(options), 12000), format: 'webp' });

describe('parseOptions', () => {
  it('reads every option and alias into the spec', () => {
    expect(parseOptions(splitOptions('w=100,h=50,fit=cover,g=left,q=70,f=avif,dpr=2,bg=%23ff000080', true), 12000)).toEqual({
      width: 200,
      height: 100,
      fit: 'cover',
      gravity: { x: 0, y: 0.5 },
      quality: 70,
      format: 'avif',
      background: { r: 255, g: 0, b: 0, a: 128 },
    });
  });

  it('canonical form ignores order, aliases, dpr spelling and options without effect', () => {
    const forms = [
      'width=400,height=300,fit=cover,quality=80',
      'quality=80,fit=cover,height=300,width=400',
      'w=200,h=150,dpr=2,q=80,fit=cover,gravity=center',
      'w=400,h=300,fit=cover,q=80,g=0.5x0.5',
    ];
    expect(new Set(forms.map(canonical)).size).toBe(1);
    expect(canonical('width=400,gravity=left')).toBe(canonical('width=400')); // gravity has no effect without cover/crop
    expect(canonical('width=400,fit=cover,gravity=left')).not.toBe(canonical('width=400,fit=cover'));
    expect(canonicalize({ ...parseOptions(splitOptions('width=10,quality=50'), 12000), format: 'png' })).toBe('w=10,f=png');
  });
});

describe('colours', () => {
  it.each([
    ['#fff', [255, 255, 255, 255]],
    ['#00000080', [0, 0, 0, 128]],
    ['ff8800', [255, 136, 0, 255]],
    ['rgb(1, 2, 3)', [1, 2, 3, 255]],
    ['rgba(1,2,3,0.5)', [1, 2, 3, 128]],
    ['transparent', [0, 0, 0, 0]],
  ])('%s', (text, rgba) => {
    const c = parseColor(text)!;
    expect([c.r, c.g, c.b, c.a]).toEqual(rgba);
  });
  it.each(['#ggg', 'rgb(300,0,0)', 'rgb(1,2)', 'bluish', '#12345'])('rejects %s', (text) => {
    expect(parseColor(text)).toBeUndefined();
  });
});

describe('keys', () => {
  it.each(['a/../b', '../a', 'a/./b', 'a//b', '/a', 'a/', 'a\\b', 'a\u0000b', 'x'.repeat(1025)])('rejects %j', (key) => {
    expect(() => validateKey(key)).toThrow();
  });
  it.each(['a', 'photos/2024/cat.jpg', 'café №1.jpg', 'a b/c+d=e,f.png'])('accepts %j', (key) => {
    expect(validateKey(key)).toBe(key);
  });
});

describe('README documents every option exactly as the code does', () => {
  it.each(OPTIONS.map((o) => [o.name, o] as const))('%s', (_, option) => {
    const names = [option.name, ...option.aliases].map((n) => `\`${n}\``).join(', ');
    const row = `| ${names} | ${option.doc.values} | ${option.doc.default} | \`${option.doc.example}\` |`;
    expect(readme).toContain(row);
  });
});

describe("README's Cloudflare status table", () => {
  const section = readme.slice(readme.indexOf('### Cloudflare Images options: what edgepix does with each'));
  const rows = section.slice(0, section.indexOf('\n\n', section.indexOf('| Cloudflare option |'))).split('\n').filter((line) => line.startsWith('| `'));
  const cells = rows.map((row) => row.split('|').map((cell) => cell.trim()));
  const names = (cell: string) => [...cell.matchAll(/`([a-z.-]+)`/g)].map((m) => m[1]!);

  it('every option edgepix reads is a "yes" row, and every "yes" row is an option it reads', () => {
    const yes = cells.filter(([, , here]) => here === 'yes').flatMap(([, option]) => names(option!));
    expect(new Set(yes)).toEqual(new Set(OPTIONS.map((o) => o.name)));
  });
});

describe('option lists as Cloudflare writes them', () => {
  it('values may contain commas inside parentheses or percent-encoded', async () => {
    const key = await putFixture('formats/320x240.jpg');
    for (const written of ['background=rgb(0,255,0)', 'background=rgb(0%2C255%2C0)', 'bg=%2300ff00']) {
      const response = await img(`width=50,height=50,fit=pad,${written},format=png`, key);
      expect(response.status, written).toBe(200);
      expect(response.headers.get('ETag'), written).toBe((await img('width=50,height=50,fit=pad,background=%2300ff00,format=png', key)).headers.get('ETag'));
    }
  });

  it('a preset may be followed by options that override it, in one variant with the same options spelled out', async () => {
    const key = await putFixture('formats/320x240.jpg');
    const combined = await img('thumb,format=png,width=100', key);
    expect(combined.status).toBe(200);
    const spelled = await img('width=100,height=200,fit=cover,format=png', key);
    expect(combined.headers.get('ETag')).toBe(spelled.headers.get('ETag'));
    expect(spelled.headers.get('X-Edgepix-Cache')).toBe('edge');
    expect((await img('preset=thumb,quality=40', key)).status).toBe(200);
    await expectProblem(await img('thumb,format=png', key, undefined, { PRESETS_ONLY: 'true' }), 403);
    await expectProblem(await img('nosuchpreset,format=png', key), 400, /Unknown preset/);
  });
});
