/** The key after a route's base path, read from the raw URL so `%2F` and `/` mean the same, as on `/img/`. */
import type { Context } from 'hono';
import { decodeKey } from '../../lib/keys';

export function keyFromPath(c: Context, base: string): string {
  const path = new URL(c.req.url).pathname;
  return decodeKey(path.slice(path.indexOf(base) + base.length));
}
