/** Keeps a signed response from being cached past its link's expiry. */

// Lifetimes we rewrite; `immutable` would promise freshness beyond the cap.
const LIFETIME = /^(max-age|s-maxage|immutable|stale-while-revalidate|stale-if-error)\b/i;

function seconds(directives: string[], name: string): number | undefined {
  const found = directives.find((d) => d.toLowerCase().startsWith(`${name}=`));
  const value = found === undefined ? NaN : Number(found.slice(name.length + 1));
  return Number.isFinite(value) ? value : undefined;
}

/** `value` with max-age (and s-maxage) no larger than `remaining` seconds and no `immutable`. */
export function capCacheControl(value: string | null, remaining: number): string {
  const directives = (value ?? '').split(',').map((d) => d.trim()).filter(Boolean);
  if (directives.some((d) => /^no-store$/i.test(d))) return value!;
  const cap = Math.max(0, Math.floor(remaining));
  const capped = directives.filter((d) => !LIFETIME.test(d));
  capped.push(`max-age=${Math.min(cap, seconds(directives, 'max-age') ?? cap)}`);
  const shared = seconds(directives, 's-maxage');
  if (shared !== undefined) capped.push(`s-maxage=${Math.min(cap, shared)}`);
  return capped.join(', ');
}
