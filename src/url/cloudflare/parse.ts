/**
 * Parses `/img/<options>/<key>`: a comma-separated `name=value` list in
 * Cloudflare Images' vocabulary, or a preset's name, then the original's key.
 * Presets (the `PRESETS` variable) are option lists parsed by the same
 * {@link parseOptions} as a URL, so `/img/thumb/<key>` and its spelled-out
 * options give one canonical spec and share one variant.
 */
import * as v from 'valibot';
import type { Config } from '../../config';
import { invalidKey, invalidOptions, misconfigured, presetsOnly, ProblemError, remoteSource } from '../../errors';
import { assertRequestedSide } from '../../spec/requested-size';
import { DEFAULT_SPEC, type TransformSpec } from '../../spec/transform-spec';
import { decodeKey } from '../../lib/keys';
import { lookupOption, type SpecDraft } from './options';

export interface ParsedImageUrl {
  spec: TransformSpec;
  key: string;
  /** `format=json`: the caller wants the original's metadata, not pixels. */
  json: boolean;
}

/** What besides the vocabulary decides how an options segment reads. */
export type OptionRules = Pick<Config, 'maxOutputDimension' | 'presets' | 'presetsOnly' | 'origins'>;

const JSON_FORMAT = new Set(['format=json', 'f=json']);

/**
 * Splits an option list at the commas between options, not those inside a
 * value's parentheses (`background=rgb(0,255,0)`). With `decode`, each
 * option is percent-decoded after the split, so `%2C` stays inside its value.
 */
export function splitOptions(list: string, decode = false): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= list.length; i++) {
    const ch = list[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if ((ch === ',' && depth === 0) || i === list.length) {
      parts.push(decode ? decodePart(list.slice(start, i)) : list.slice(start, i));
      start = i + 1;
    }
  }
  return parts;
}

function decodePart(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidOptions('The options segment is not valid percent-encoding.');
  }
}

/** Applies `name=value` options over `base` (a preset's spec, or the defaults). */
export function parseOptions(parts: readonly string[], maxOutputDimension: number, base: TransformSpec = DEFAULT_SPEC): TransformSpec {
  const draft: SpecDraft = { ...base, dpr: 1 };
  const seen = new Set<string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalidOptions(`Expected name=value but received "${part}".`);
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    const def = lookupOption(name);
    if (!def) throw invalidOptions(`Unknown option "${name}".`);
    if (seen.has(def.name)) throw invalidOptions(`Option "${def.name}" is given more than once.`);
    seen.add(def.name);
    const schema = typeof def.schema === 'function' ? def.schema(maxOutputDimension) : def.schema;
    const result = v.safeParse(schema, raw);
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
    assertRequestedSide(`${side}=${value}${dpr === 1 ? '' : ` at dpr=${dpr}`}`, scaled, maxOutputDimension);
    spec[side] = scaled;
  }
  return spec;
}

const presetsParsed = new WeakMap<OptionRules, ReadonlyMap<string, TransformSpec>>();

/** Every preset's spec, parsed once per configuration; a bad one fails every request, naming it. */
function presetSpecs(rules: OptionRules): ReadonlyMap<string, TransformSpec> {
  const known = presetsParsed.get(rules);
  if (known) return known;
  const specs = new Map<string, TransformSpec>();
  for (const [name, options] of rules.presets) {
    try {
      specs.set(name, parseOptions(splitOptions(options), rules.maxOutputDimension));
    } catch (error) {
      if (error instanceof ProblemError) throw misconfigured(`PRESETS: ${name}: ${error.detail}`);
      throw error;
    }
  }
  presetsParsed.set(rules, specs);
  return specs;
}

function presetSpec(name: string, presets: ReadonlyMap<string, TransformSpec>): TransformSpec {
  const spec = presets.get(name);
  if (spec) return spec;
  const known = [...presets.keys()].join(', ') || 'none are configured';
  throw invalidOptions(`Unknown preset "${name}" (presets: ${known}); options are written name=value.`);
}

/**
 * One options segment: `preset=<name>` or a bare `<name>` is a preset, anything
 * else the option vocabulary (refused in presets-only mode). `format=json`
 * may accompany either; it asks for metadata instead of pixels.
 */
function parseOptionsSegment(segment: string, rules: OptionRules): { spec: TransformSpec; json: boolean } {
  const parts = splitOptions(segment, true).map((part) => part.trim());
  const rest = parts.filter((part) => !JSON_FORMAT.has(part));
  const json = rest.length < parts.length;
  const presets = presetSpecs(rules);
  if (rest.length === 0) return { spec: DEFAULT_SPEC, json };
  // A preset (`thumb` or `preset=thumb`) comes first; options after it override its values.
  const [first = ''] = rest;
  const preset = !first.includes('=') ? first : first.startsWith('preset=') ? first.slice('preset='.length) : undefined;
  const base = preset === undefined ? DEFAULT_SPEC : presetSpec(preset, presets);
  const options = preset === undefined ? rest : rest.slice(1);
  if (options.length === 0) return { spec: base, json };
  if (rules.presetsOnly) {
    throw presetsOnly(`Only presets are allowed (/img/<preset>/<key>); presets: ${[...presets.keys()].join(', ')}.`);
  }
  return { spec: parseOptions(options, rules.maxOutputDimension, base), json };
}

/**
 * The original a source names: a key, or — as `/cdn-cgi/image/` URLs may
 * write it — an absolute URL, which is served only when an http origin of
 * ORIGINS covers it (it then names that origin's key); any other URL is
 * refused, so a request never makes edgepix fetch from where it says.
 */
function sourceKey(raw: string, origins: OptionRules['origins']): string {
  const url = /^https?:\/\//i.test(raw) ? raw : /^https?%3A/i.test(raw) ? safeDecode(raw) : undefined;
  if (url === undefined) return decodeKey(raw);
  for (const origin of origins) {
    if (origin.type === 'http' && url.startsWith(origin.base)) return decodeKey(origin.prefix + url.slice(origin.base.length));
  }
  throw remoteSource();
}

const safeDecode = (raw: string) => {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidKey('The source is not valid percent-encoding.');
  }
};

/** `rest` is the raw (still percent-encoded) path after `/img/` or `/cdn-cgi/image/`. */
export function parseImagePath(rest: string, rules: OptionRules): ParsedImageUrl {
  const slash = rest.indexOf('/');
  if (slash <= 0) throw invalidOptions('Expected /img/<options>/<key> (or /cdn-cgi/image/<options>/<source>).');
  return { ...parseOptionsSegment(rest.slice(0, slash), rules), key: sourceKey(rest.slice(slash + 1), rules.origins) };
}

/** A configured preset's spec by name (background jobs make presets after an upload). */
export const namedPreset = (name: string, rules: OptionRules): TransformSpec => presetSpec(name, presetSpecs(rules));
