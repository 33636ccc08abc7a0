/**
 * Parses `/img/<options>/<key>`: a comma-separated `name=value` list in
 * Cloudflare Images' vocabulary, then the original's key.
 */
import * as v from 'valibot';
import { invalidOptions } from '../../errors';
import { DEFAULT_SPEC, type TransformSpec } from '../../spec/transform-spec';
import { decodeKey } from '../../storage/keys';
import { lookupOption, type SpecDraft } from './options';

export interface ParsedImageUrl {
  spec: TransformSpec;
  key: string;
}

export function parseOptions(text: string, maxOutputDimension: number): TransformSpec {
  const draft: SpecDraft = { ...DEFAULT_SPEC, dpr: 1 };
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalidOptions(`Expected name=value but received "${part}".`);
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    const def = lookupOption(name);
    if (!def) throw invalidOptions(`Unknown option "${name}".`);
    if (seen.has(def.name)) throw invalidOptions(`Option "${def.name}" is given more than once.`);
    seen.add(def.name);
    const result = v.safeParse(def.schema, raw);
    if (!result.success) {
      throw invalidOptions(`Expected ${result.issues[0].message} for ${def.name} but received "${raw}".`);
    }
    def.apply(draft, result.output);
  }
  return applyDpr(draft, maxOutputDimension);
}

function applyDpr({ dpr, ...spec }: SpecDraft, maxOutputDimension: number): TransformSpec {
  for (const side of ['width', 'height'] as const) {
    const value = spec[side];
    if (value === undefined) continue;
    const scaled = Math.round(value * dpr);
    if (scaled > maxOutputDimension) {
      throw invalidOptions(
        `${side}=${value}${dpr === 1 ? '' : ` at dpr=${dpr}`} exceeds the maximum output dimension of ${maxOutputDimension} pixels.`,
      );
    }
    spec[side] = scaled;
  }
  return spec;
}

/** `rest` is the raw (still percent-encoded) path after `/img/`. */
export function parseImagePath(rest: string, maxOutputDimension: number): ParsedImageUrl {
  const slash = rest.indexOf('/');
  if (slash <= 0) throw invalidOptions('Expected /img/<options>/<key>.');
  let options: string;
  try {
    options = decodeURIComponent(rest.slice(0, slash));
  } catch {
    throw invalidOptions('The options segment is not valid percent-encoding.');
  }
  return { spec: parseOptions(options, maxOutputDimension), key: decodeKey(rest.slice(slash + 1)) };
}
