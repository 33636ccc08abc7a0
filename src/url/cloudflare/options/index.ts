/**
 * The `/img/<options>/<key>` vocabulary, modelled on Cloudflare Images' URL
 * options, one file per concern; each entry owns its names, how its value is
 * read, and its documentation.
 */
import { DECORATION_OPTIONS } from './decorations';
import type { OptionDef } from './define';
import { EFFECT_OPTIONS } from './effects';
import { GEOMETRY_OPTIONS } from './geometry';
import { OUTPUT_OPTIONS } from './output';
import { TRIM_OPTIONS } from './trim';

export type { OptionDoc, SpecDraft } from './define';

export const OPTIONS: readonly OptionDef<unknown>[] = [...GEOMETRY_OPTIONS, ...TRIM_OPTIONS, ...OUTPUT_OPTIONS, ...EFFECT_OPTIONS, ...DECORATION_OPTIONS];

const BY_NAME = new Map(OPTIONS.flatMap((o) => [o.name, ...o.aliases].map((n) => [n, o] as const)));

export const lookupOption = (name: string) => BY_NAME.get(name);
