import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import readme from '../README.md?raw';
import wrangler from '../wrangler.toml?raw';
import { VARIABLES } from '../src/config';

const section = (text: string, heading: string) => text.slice(text.indexOf(heading), text.indexOf('\n## ', text.indexOf(heading) + 1));

/** The README row config.ts implies for each variable, in declaration order. */
const expectedRows = Object.entries(VARIABLES).map(([name, { fallback, doc, secret }]) => {
  const shown = fallback === '' ? 'none' : `\`${fallback.replaceAll('|', '\\|')}\``;
  return `| \`${name}\` | ${shown} | ${secret ? 'secret: ' : ''}${doc} |`;
});

/** `NAME = "value"` or `NAME = 'value'` lines of wrangler.toml's [vars] table. */
function wranglerVars(): Map<string, string> {
  const start = wrangler.search(/^\[vars\]$/m);
  if (start < 0) return new Map();
  const table = wrangler.slice(start).split(/\n(?=\[)/)[0]!;
  return new Map([...table.matchAll(/^([A-Z_]+)\s*=\s*(["'])(.*)\2\s*(#.*)?$/gm)].map((m) => [m[1]!, m[3]!]));
}

describe('configuration is declared once, in config.ts', () => {
  it("README's configuration table is exactly the declared variables, defaults and descriptions", () => {
    const lines = section(readme, '## Configuration').split('\n');
    const header = lines.indexOf('| variable | default | meaning |');
    const end = lines.findIndex((line, i) => i > header && !line.startsWith('|'));
    const rows = lines.slice(header + 2, end);
    expect(rows).toEqual(expectedRows);
  });

  it("tests see only the variables vitest.config.ts sets, never a developer's .dev.vars", () => {
    const set = Object.keys(VARIABLES).filter((name) => name in env);
    expect(set).toEqual(['ALLOW_UNSIGNED', 'OPTIMIZE']);
  });

  it("every binding wrangler.toml declares, and every one the worker's Env names, is in the README's bindings table", () => {
    const lines = section(readme, '## Configuration').split('\n');
    const header = lines.indexOf('| binding | type | meaning |');
    const documented = lines.slice(header).filter((line) => line.startsWith('| `')).map((line) => /^\| `([A-Z_]+)`/.exec(line)?.[1]);
    const declared = [...wrangler.matchAll(/^binding = "([A-Z_]+)"/gm)].map((m) => m[1]);
    for (const name of [...declared, 'ORIGINALS', 'VARIANTS', 'METRICS', 'JOBS']) expect(documented, name).toContain(name);
  });

  it('wrangler.toml sets only known, non-secret variables, and only where they differ from the defaults', () => {
    for (const [name, value] of wranglerVars()) {
      const declared = VARIABLES[name as keyof typeof VARIABLES];
      expect(declared, `${name} is not a variable the worker reads`).toBeDefined();
      expect(declared.secret, `${name} is a secret: set it with wrangler secret put`).toBe(false);
      expect(value, `${name} repeats its default; defaults live in src/config.ts`).not.toBe(declared.fallback);
    }
  });
});
