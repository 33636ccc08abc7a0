/**
 * Thumbor-compatible URLs under THUMBOR_PATH_PREFIX (default `/thumbor`):
 * verify the signature, parse, then serve through the same variant tiers as
 * /img — or, for `/meta/`, describe the result as JSON without decoding.
 */
import type { MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import { cors } from 'hono/cors';
import { resolveFormat } from '../codecs/negotiate';
import { getConfig } from '../config';
import { presetsOnly } from '../errors';
import type { AppContext, Env } from '../env';
import { planTransform } from '../pipeline/run';
import { orientSize } from '../pipeline/orientation';
import { verifyThumborPath } from '../security/thumbor-signature';
import type { TransformSpec } from '../spec/transform-spec';
import { parseThumborPath } from '../url/thumbor/grammar';
import { toThumborRequest, withSourceSide } from '../url/thumbor/to-spec';
import { conditionalGet } from '../delivery/conditional';
import { deliver } from '../delivery/deliver';
import { readOriginalHeader } from '../delivery/original';

/** Thumbor's /meta/ shape: the source, the operations, and the target size. */
async function metaResponse(c: AppContext, spec: TransformSpec, key: string): Promise<Response> {
  const config = getConfig(c.env);
  const { original, header } = await readOriginalHeader(c.env, key, config);
  const format = resolveFormat(spec.format, c.req.header('Accept') ?? null, original.traits);
  const { geometry } = planTransform(header, original.version.size, { ...spec, format }, config).context;
  const source = orientSize(header, header.orientation);
  const { region, scaled } = geometry;
  const operations: Record<string, unknown>[] = [];
  if (region.width !== source.width || region.height !== source.height) {
    operations.push({ type: 'crop', left: region.x, top: region.y, right: region.x + region.width, bottom: region.y + region.height });
  }
  operations.push({ type: 'resize', width: scaled.width, height: scaled.height });
  if (spec.flipHorizontal) operations.push({ type: 'flip_horizontally' });
  if (spec.flipVertical) operations.push({ type: 'flip_vertically' });
  if (spec.rotate) operations.push({ type: 'rotate', clockwise: spec.rotate });
  const target = orientSize(geometry.output, spec.rotate === 90 || spec.rotate === 270 ? 6 : 1);
  return c.json(
    { thumbor: { source: { url: key, width: source.width, height: source.height, frameCount: 1, format: header.format }, operations, target: { ...target, format } } },
    200,
    { 'Cache-Control': config.variantCacheControl },
  );
}

async function handleThumbor(c: AppContext): Promise<Response> {
  const config = getConfig(c.env);
  // Thumbor URLs spell out any transformation, so they cannot be allowed where only presets are.
  if (config.presetsOnly) throw presetsOnly('Thumbor URLs are refused while PRESETS_ONLY=true; use /img/<preset>/<key>.');
  const path = new URL(c.req.url).pathname.slice(config.thumborPathPrefix.length + 1);
  const rest = await verifyThumborPath(path, config);
  const request = toThumborRequest(parseThumborPath(rest), config.maxOutputDimension);
  const { key, meta } = request;
  let spec = request.spec;
  if (request.sourceSide) {
    const { header } = await readOriginalHeader(c.env, key, config);
    spec = withSourceSide(request, orientSize(header, header.orientation));
  }
  return meta ? metaResponse(c, spec, key) : deliver(c, spec, key);
}

// The same CORS and conditional-request handling as /img gets in app.ts.
const serveThumbor = every(cors({ origin: '*', allowMethods: ['GET', 'HEAD'] }), conditionalGet, handleThumbor);

/** Mounted on every path, because the prefix is configuration; handles those under it and passes the rest on. */
export const thumborRoutes: MiddlewareHandler<{ Bindings: Env }> = async function thumborRoutes(c, next) {
  const pathname = new URL(c.req.url).pathname;
  if (!pathname.startsWith(`${getConfig(c.env).thumborPathPrefix}/`) || !['GET', 'HEAD'].includes(c.req.method)) {
    return next();
  }
  await serveThumbor(c, next);
};
