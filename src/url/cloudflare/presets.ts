/**
 * Presets: named transformations from the `PRESETS` variable, a JSON object
 * whose values are option lists in the URL vocabulary. Each is parsed by the
 * same {@link parseOptions} as a URL, so `/img/thumb/<key>` and its
 * spelled-out options give one canonical spec and share one variant.
 */
import { misconfigured, ProblemError } from '../../errors';
import type { TransformSpec } from '../../spec/transform-spec';
import { parseOptions } from './parse';

/** Letters, digits, `-` and `_`: a preset name can never be mistaken for `name=value`. */
const PRESET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function parsePresets(json: string, maxOutputDimension: number): ReadonlyMap<string, TransformSpec> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw misconfigured('PRESETS: must be a JSON object such as {"thumb": "width=200,height=200,fit=cover"}.');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw misconfigured('PRESETS: must be a JSON object of name → options.');
  }
  const presets = new Map<string, TransformSpec>();
  for (const [name, options] of Object.entries(raw)) {
    if (!PRESET_NAME.test(name)) throw misconfigured(`PRESETS.${name}: a name is letters, digits, "-" and "_".`);
    if (typeof options !== 'string') throw misconfigured(`PRESETS.${name}: must be an option string.`);
    try {
      presets.set(name, parseOptions(options, maxOutputDimension));
    } catch (error) {
      if (error instanceof ProblemError) throw misconfigured(`PRESETS.${name}: ${error.detail}`);
      throw error;
    }
  }
  return presets;
}
