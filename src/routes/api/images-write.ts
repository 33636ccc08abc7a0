/**
 * POST /api/v1/images (multipart, one or more `file` fields) and
 * PUT /api/v1/images/<key> (raw body). Admin token or upload token.
 */
import { Hono } from 'hono';
import * as v from 'valibot';
import { validate } from '../../lib/validate';
import { asProblem, invalidRequest, problemBody, unsupportedMediaType } from '../../errors';
import type { ApiEnv, Grant } from '../../security/auth';
import { uploadBodyLimit } from '../../security/upload-limit';
import { scopeTarget } from '../../security/upload-tokens';
import { validateKey, validatePrefix, type UploadTarget } from '../../lib/keys';
import { ingest } from './ingest';
import { keyFromPath } from './key-path';

const overwriteFlag = v.optional(v.picklist(['true', 'false'], 'overwrite must be true or false'), 'false');

const FormFieldsSchema = v.object({
  key: v.optional(v.pipe(v.string(), v.nonEmpty('key must not be empty'))),
  prefix: v.optional(v.pipe(v.string(), v.nonEmpty('prefix must not be empty'))),
  overwrite: overwriteFlag,
});

function allowedTarget(grant: Grant, target: UploadTarget, fileCount: number): UploadTarget {
  return grant.kind === 'upload-token' ? scopeTarget(grant, target, fileCount) : target;
}

async function readForm(request: Request): Promise<FormData> {
  if (!request.headers.get('Content-Type')?.toLowerCase().startsWith('multipart/form-data')) {
    throw unsupportedMediaType('Send multipart/form-data with one or more "file" fields, or PUT the raw bytes to /api/v1/images/<key>.');
  }
  try {
    return await request.formData();
  } catch {
    throw invalidRequest('The multipart/form-data body could not be parsed.');
  }
}

export const imageWriteRoutes = new Hono<ApiEnv>()
  .post('/', uploadBodyLimit, async (c) => {
    const form = await readForm(c.req.raw);
    const files = form.getAll('file').filter((f): f is File => typeof f !== 'string');
    if (files.length === 0) throw invalidRequest('Expected one or more "file" fields.');
    const fields = validate(FormFieldsSchema, {
      key: form.get('key') ?? undefined,
      prefix: form.get('prefix') ?? undefined,
      overwrite: form.get('overwrite') ?? c.req.query('overwrite'),
    }, invalidRequest);
    if (fields.key !== undefined && files.length > 1) throw invalidRequest('"key" names one file; send several files with "prefix" instead.');
    const target = allowedTarget(c.get('grant'), {
      key: fields.key === undefined ? undefined : validateKey(fields.key),
      prefix: fields.prefix === undefined ? undefined : validatePrefix(fields.prefix),
      overwrite: fields.overwrite === 'true',
    }, files.length);

    // One file at a time keeps one decoded image in memory; each file succeeds or fails on its own.
    const results = [];
    for (const file of files) {
      try {
        results.push({ name: file.name, ...(await ingest(c, new Uint8Array(await file.arrayBuffer()), target, file.name)) });
      } catch (error) {
        if (files.length === 1) throw error;
        results.push({ name: file.name, error: problemBody(asProblem(error)) });
      }
    }
    const allStored = results.every((r) => !('error' in r));
    return c.json({ results }, allStored ? 201 : 207);
  })
  .put('/*', uploadBodyLimit, async (c) => {
    const key = keyFromPath(c, '/images/');
    const { overwrite } = validate(v.object({ overwrite: overwriteFlag }), { overwrite: c.req.query('overwrite') }, invalidRequest);
    const target = allowedTarget(c.get('grant'), { key, overwrite: overwrite === 'true' }, 1);
    return c.json(await ingest(c, new Uint8Array(await c.req.arrayBuffer()), target), 201);
  });
