import { describe, expect, it } from 'vitest';
import readme from '../README.md?raw';
import wrangler from '../wrangler.toml?raw';
import { CONFIG_VARIABLES } from '../src/config';

/** Secrets read where they are used rather than through the config schema. */
const SECRETS_READ_ELSEWHERE = ['ADMIN_TOKEN'];

const section = (text: string, heading: string) => text.slice(text.indexOf(heading), text.indexOf('\n## ', text.indexOf(heading) + 1));

describe('configuration is declared once and documented as declared', () => {
  it("README's configuration table lists exactly the variables the worker reads", () => {
    const documented = [...section(readme, '## Configuration').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES, ...SECRETS_READ_ELSEWHERE].sort());
  });

  it('wrangler.toml sets no variable the worker would ignore', () => {
    const vars = section(wrangler.replace(/^\[vars\]/m, '## vars'), '## vars');
    const set = [...vars.matchAll(/^#?\s*([A-Z_]+) = /gm)].map((m) => m[1]!);
    expect(set.filter((name) => !CONFIG_VARIABLES.includes(name))).toEqual([]);
  });
});
