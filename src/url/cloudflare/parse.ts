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
import { aroundMidGrey, composeLinear, scaleBy } from '../../spec/linear';
import { CENTER, DEFAULT_SPEC, type Gravity, type Linear, type Overlay, type Rgba, type TransformSpec, type Trim } from '../../spec/transform-spec';
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

/** Applies `name=value` options over the defaults; each option at most once. */
export function parseOptions(parts: readonly string[], maxOutputDimension: number): TransformSpec {
  const draft: SpecDraft = { ...DEFAULT_SPEC, dpr: 1 };
  const seen = new Set<string>();
  for (const part of parts) {
    const { def, raw } = nameAndValue(part);
    if (seen.has(def.name)) throw invalidOptions(`Option "${def.name}" is given more than once.`);
    seen.add(def.name);
    const schema = typeof def.schema === 'function' ? def.schema(maxOutputDimension) : def.schema;
    const result = v.safeParse(schema, raw);
    if (!result.success) {
      throw invalidOptions(`Expected ${result.issues[0].message} for ${def.name} but received "${raw}".`);
    }
    def.apply(draft, result.output);
  }
  return toSpec(draft, maxOutputDimension);
}

function nameAndValue(part: string) {
  const eq = part.indexOf('=');
  if (eq <= 0) throw invalidOptions(`Expected name=value but received "${part}".`);
  const name = part.slice(0, eq).trim();
  const def = lookupOption(name);
  if (!def) throw invalidOptions(`Unknown option "${name}".`);
  return { def, raw: part.slice(eq + 1).trim() };
}

/** A preset's options, each replaced by the URL's option of the same name (whatever alias either uses). */
function overridden(preset: readonly string[], options: readonly string[]): string[] {
  const named = options.map((part) => nameAndValue(part).def.name);
  return [...preset.filter((part) => !named.includes(nameAndValue(part).def.name)), ...options];
}

/** Where a point of the turned and mirrored picture (Cloudflare's frame) was before: the spec's frame. */
function unturned({ x, y }: Gravity, turn: TransformSpec['rotate'], horizontal?: boolean, vertical?: boolean): Gravity {
  const turned = turn === 90 ? { x: y, y: 1 - x } : turn === 180 ? { x: 1 - x, y: 1 - y } : turn === 270 ? { x: 1 - y, y: x } : { x, y };
  return { x: horizontal ? 1 - turned.x : turned.x, y: vertical ? 1 - turned.y : turned.y };
}

/**
 * From Cloudflare's terms to the spec's: dpr folded into the sizes; the box
 * and gravity, which Cloudflare reads after flip and rotate, moved to the
 * picture before them (the pipeline mirrors and turns its output); brightness
 * then contrast as one linear map.
 */
/** Default tolerance of trim=border, as sharp's and libvips' trim threshold. */
const TRIM_TOLERANCE = 10;

function trimOf(edges: SpecDraft['trimEdges'], border: SpecDraft['trimBorder']): Trim | undefined {
  if (edges && border) throw invalidOptions('trim=border (with trim.border.*) and trim edges (top;right;bottom;left, trim.width, …) cannot be combined.');
  if (border) return { border: { tolerance: TRIM_TOLERANCE, keep: 0, ...border } };
  return edges && { top: 0, right: 0, bottom: 0, left: 0, ...edges };
}

const BLACK: Rgba = { r: 0, g: 0, b: 0, a: 255 };

/** border.*: each side in output pixels (dpr applied); a side given alone overrides border.width, whatever the order. */
function borderOf(frame: SpecDraft['frame'], dpr: number): TransformSpec['border'] {
  if (!frame) return undefined;
  const side = (value: number | undefined) => Math.round((value ?? frame.width ?? 0) * dpr);
  return { color: frame.color ?? BLACK, top: side(frame.top), right: side(frame.right), bottom: side(frame.bottom), left: side(frame.left) };
}

/** draw and draw.*: sizes and offsets times dpr; the sub-options alone are an error, not silently nothing. */
function overlayOf(draft: SpecDraft['overlay'], dpr: number): Overlay | undefined {
  if (!draft) return undefined;
  const { key, ...rest } = draft;
  if (key === undefined) throw invalidOptions('draw.* options need draw=<key>, the overlay.');
  const scaled = (value: number | undefined) => (value === undefined ? undefined : Math.max(0, Math.round(value * dpr)));
  const overlay: Overlay = {
    fit: 'contain', gravity: CENTER, opacity: 1, ...rest, key,
    width: scaled(rest.width), height: scaled(rest.height), top: scaled(rest.top), left: scaled(rest.left), bottom: scaled(rest.bottom), right: scaled(rest.right),
  };
  return Object.fromEntries(Object.entries(overlay).filter(([, value]) => value !== undefined)) as unknown as Overlay;
}

function toSpec({ dpr, brightness, contrast, trimEdges, trimBorder, frame, overlay, ...spec }: SpecDraft, maxOutputDimension: number): TransformSpec {
  for (const side of ['width', 'height'] as const) {
    const value = spec[side];
    if (value === undefined) continue;
    const scaled = Math.round(value * dpr);
    assertRequestedSide(`${side}=${value}${dpr === 1 ? '' : ` at dpr=${dpr}`}`, scaled, maxOutputDimension);
    spec[side] = scaled;
  }
  if (spec.rotate === 90 || spec.rotate === 270) [spec.width, spec.height] = [spec.height, spec.width];
  // (A content-aware gravity is found on the picture as it is, before flip and rotate.)
  if (!spec.smart && (spec.rotate || spec.flipHorizontal || spec.flipVertical)) spec.gravity = unturned(spec.gravity, spec.rotate, spec.flipHorizontal, spec.flipVertical);
  const linear = [brightness === undefined ? undefined : scaleBy(brightness), contrast === undefined ? undefined : aroundMidGrey(contrast)]
    .reduce<Linear | undefined>((sum, next) => (next ? composeLinear(sum, next) : sum), undefined);
  const trim = trimOf(trimEdges, trimBorder);
  const border = borderOf(frame, dpr);
  const draw = overlayOf(overlay, dpr);
  return { ...spec, ...(linear && { linear }), ...(trim && { trim }), ...(border && { border }), ...(draw && { draw }) };
}

interface Preset {
  parts: readonly string[];
  spec: TransformSpec;
}

const presetsParsed = new WeakMap<OptionRules, ReadonlyMap<string, Preset>>();

/** Every preset's options and spec, parsed once per configuration; a bad one fails every request, naming it. */
function presetTable(rules: OptionRules): ReadonlyMap<string, Preset> {
  const known = presetsParsed.get(rules);
  if (known) return known;
  const presets = new Map<string, Preset>();
  for (const [name, options] of rules.presets) {
    try {
      const parts = splitOptions(options);
      presets.set(name, { parts, spec: parseOptions(parts, rules.maxOutputDimension) });
    } catch (error) {
      if (error instanceof ProblemError) throw misconfigured(`PRESETS: ${name}: ${error.detail}`);
      throw error;
    }
  }
  presetsParsed.set(rules, presets);
  return presets;
}

function presetNamed(name: string, presets: ReadonlyMap<string, Preset>): Preset {
  const preset = presets.get(name);
  if (preset) return preset;
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
  const presets = presetTable(rules);
  if (rest.length === 0) return { spec: DEFAULT_SPEC, json };
  // A preset (`thumb` or `preset=thumb`) comes first; options after it replace its options of the same name.
  const [first = ''] = rest;
  const name = !first.includes('=') ? first : first.startsWith('preset=') ? first.slice('preset='.length) : undefined;
  const preset = name === undefined ? undefined : presetNamed(name, presets);
  const options = preset === undefined ? rest : rest.slice(1);
  if (preset && options.length === 0) return { spec: preset.spec, json };
  if (rules.presetsOnly) {
    throw presetsOnly(`Only presets are allowed (/img/<preset>/<key>); presets: ${[...presets.keys()].join(', ')}.`);
  }
  return { spec: parseOptions(preset ? overridden(preset.parts, options) : options, rules.maxOutputDimension), json };
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
export const namedPreset = (name: string, rules: OptionRules): TransformSpec => presetNamed(name, presetTable(rules)).spec;
