/**
 * The OpenAPI 3.1 description of every route, written by hand: small enough
 * to read, and a test checks it against the routes the app registers
 * (`x-edgepix-route` names the Hono path each path item is served by).
 */
import { INPUT_FORMATS } from '../../lib/formats';

const problem = { $ref: '#/components/responses/Problem' };
const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const keyParameter = {
  name: 'key',
  in: 'path',
  required: true,
  description: 'Object key; may contain "/" (or %2F). Printable Unicode except "\\", at most 1024 UTF-8 bytes, no empty, "." or ".." segments.',
  schema: { type: 'string' },
};
/** routes/api/paging.ts: R2's cursor, and a page of 1 to 1000. */
const pageParameters = [
  { name: 'cursor', in: 'query', schema: { type: 'string' } },
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
];
const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), problem]));

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'edgepix',
    version: '1',
    description: 'Image CDN on Cloudflare Workers: transform URLs and the /api/v1 management API.',
  },
  security: [{ bearer: [] }],
  paths: {
    '/api/v1/images': {
      'x-edgepix-route': '/api/v1/images',
      get: {
        summary: 'List originals, with cursor paging',
        parameters: [
          { name: 'prefix', in: 'query', schema: { type: 'string' } },
          ...pageParameters,
        ],
        responses: { '200': { description: 'One page', content: json(ref('ImageList')) }, ...problems(400, 401) },
      },
      post: {
        summary: 'Upload one or more files (multipart); admin or upload token',
        parameters: [{ name: 'overwrite', in: 'query', schema: { type: 'boolean', default: false } }],
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['file'],
                properties: {
                  file: { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' } },
                  key: { type: 'string', description: 'Explicit key (one file only); default <prefix>/<sha256>.<ext>' },
                  prefix: { type: 'string' },
                  overwrite: { type: 'boolean' },
                },
              },
            },
          },
        },
        responses: {
          '201': { description: 'Every file stored (or already there: deduplicated)', content: json(ref('UploadResults')) },
          '207': { description: 'Several files, some refused: each result has the image or an error', content: json(ref('UploadResults')) },
          ...problems(400, 401, 403, 409, 413, 415, 422),
        },
      },
    },
    '/api/v1/images/{key}': {
      'x-edgepix-route': '/api/v1/images/*',
      parameters: [keyParameter],
      get: {
        summary: 'Metadata of one original',
        responses: { '200': { description: 'The image', content: json(ref('Image')) }, ...problems(400, 401, 404) },
      },
      put: {
        summary: 'Upload the raw body to this key; admin or upload token',
        parameters: [{ name: 'overwrite', in: 'query', schema: { type: 'boolean', default: false } }],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string' } } } },
        responses: {
          '201': { description: 'Stored', content: json(ref('UploadResult')) },
          ...problems(400, 401, 403, 409, 413, 415, 422),
        },
      },
      delete: {
        summary: 'Delete the original and every variant made from it',
        responses: {
          '200': {
            description: 'Deleted',
            content: json({
              type: 'object',
              properties: { key: { type: 'string' }, deleted: { const: true }, variantsRemoved: { type: 'integer' } },
            }),
          },
          ...problems(400, 401, 404),
        },
      },
    },
    '/api/v1/upload-tokens': {
      'x-edgepix-route': '/api/v1/upload-tokens',
      post: {
        summary: 'Create a short-lived, single-use upload token for one key or prefix',
        requestBody: { required: true, content: json(ref('UploadTokenRequest')) },
        responses: { '201': { description: 'The token', content: json(ref('UploadToken')) }, ...problems(400, 401) },
      },
    },
    '/api/v1/sign': {
      'x-edgepix-route': '/api/v1/sign',
      post: {
        summary: 'Sign an /img path (first SIGNING_KEYS key, expiring) or a Thumbor path (THUMBOR_SECURITY_KEY); admin token only, the keys never leave the worker',
        requestBody: { required: true, content: json(ref('SignRequest')) },
        responses: {
          '200': { description: 'The signed URL', content: json(ref('SignedUrl')) },
          ...problems(400, 401, 500),
        },
      },
    },
    '/api/v1/variants': {
      'x-edgepix-route': '/api/v1/variants',
      get: {
        summary: "One page of an original's stored variants, with what the optimize pass saved",
        parameters: [
          { name: 'original', in: 'query', required: true, schema: { type: 'string' }, description: "The original's key" },
          ...pageParameters,
        ],
        responses: { '200': { description: 'The variants', content: json(ref('VariantPage')) }, ...problems(400, 401) },
      },
    },
    '/api/v1/jobs/failed': {
      'x-edgepix-route': '/api/v1/jobs/failed',
      get: {
        summary: 'Background jobs the queue gave up on, with their reasons',
        parameters: pageParameters,
        responses: { '200': { description: 'One page of them', content: json(ref('FailedJobPage')) }, ...problems(400, 401) },
      },
    },
    '/api/v1/jobs/failed/{id}/retry': {
      'x-edgepix-route': '/api/v1/jobs/failed/:id/retry',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        summary: 'Send a failed job again, with a fresh round of attempts',
        responses: {
          '202': { description: 'Sent', content: json({ type: 'object', properties: { id: { type: 'string' }, requeued: { const: true } } }) },
          ...problems(401, 404, 500),
        },
      },
    },
    '/api/v1/openapi.json': {
      'x-edgepix-route': '/api/v1/openapi.json',
      get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } },
    },
    '/img/{options}/{key}': {
      'x-edgepix-route': '/img/*',
      get: {
        summary: 'A transformed variant (or, with format=json, the metadata); options or a preset name',
        security: [],
        parameters: [{ name: 'options', in: 'path', required: true, schema: { type: 'string' }, example: 'width=400,format=auto' }, keyParameter],
        responses: { '200': { description: 'The image' }, '304': { description: 'Not modified' }, ...problems(400, 403, 404, 413, 415, 422) },
      },
    },
    '/cdn-cgi/image/{options}/{source}': {
      'x-edgepix-route': '/cdn-cgi/image/*',
      get: {
        summary: "The same as /img/, in Cloudflare Images' own URL shape; the source is a key or a URL an http origin covers",
        security: [],
        parameters: [{ name: 'options', in: 'path', required: true, schema: { type: 'string' }, example: 'width=400,format=auto' }, { ...keyParameter, name: 'source' }],
        responses: { '200': { description: 'The image' }, '304': { description: 'Not modified' }, ...problems(400, 403, 404, 413, 415, 422) },
      },
    },
    '/': {
      'x-edgepix-route': '/',
      get: { summary: 'Redirects to the console', security: [], responses: { '302': { description: 'To /console/' } } },
    },
    '/upload': {
      'x-edgepix-route': '/upload',
      get: { summary: 'The old upload page: redirects to the console', security: [], responses: { '301': { description: 'To /console/' } } },
    },
    '/console': {
      'x-edgepix-route': '/console',
      get: { summary: 'Redirects to /console/', security: [], responses: { '301': { description: 'To /console/' } } },
    },
    '/console/{file}': {
      'x-edgepix-route': '/console/*',
      get: {
        summary: 'The console (static files; it signs in with the admin token and calls this API)',
        security: [],
        parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string' }, example: 'app.js' }],
        responses: { '200': { description: 'The file' }, ...problems(404) },
      },
    },
    '/healthz': {
      'x-edgepix-route': '/healthz',
      get: { summary: 'Readiness', security: [], responses: { '200': { description: 'Both buckets answer' } } },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN, or an upload token on upload routes' } },
    responses: {
      Problem: {
        description: 'RFC 9457 problem',
        content: {
          'application/problem+json': {
            schema: {
              type: 'object',
              required: ['type', 'title', 'status', 'detail'],
              properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } },
            },
          },
        },
      },
    },
    schemas: {
      VariantPage: {
        type: 'object',
        properties: {
          original: { type: 'string' },
          variants: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: { type: 'string' }, contentType: { type: 'string' }, bytes: { type: 'integer' },
                uploaded: { type: 'string', format: 'date-time' }, accessed: { type: 'string', format: 'date', description: 'Day it was made' },
                fallback: { type: 'string' },
                optimized: {
                  type: 'object',
                  description: 'Set once the optimize pass replaced it',
                  properties: { before: { type: 'integer' }, metric: { type: 'string' }, fast: { type: 'number' }, optimized: { type: 'number' } },
                },
              },
            },
          },
          cursor: { type: 'string' },
        },
      },
      FailedJobPage: {
        type: 'object',
        properties: {
          jobs: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' }, kind: { enum: ['preset', 'optimize'] }, key: { type: 'string' }, state: { const: 'dead' },
                reason: { type: 'string' }, attempts: { type: 'integer' }, failedAt: { type: 'string', format: 'date-time' },
              },
            },
          },
          cursor: { type: 'string' },
        },
      },
      Image: {
        type: 'object',
        required: ['key', 'sha256', 'bytes', 'width', 'height', 'format', 'hasAlpha', 'orientation', 'placeholder', 'urls'],
        properties: {
          key: { type: 'string' },
          sha256: { type: 'string' },
          bytes: { type: 'integer' },
          width: { type: 'integer', description: 'Upright, after EXIF orientation' },
          height: { type: 'integer' },
          format: { enum: [...INPUT_FORMATS] },
          contentType: { type: 'string' },
          hasAlpha: { type: 'boolean' },
          orientation: { type: 'integer', minimum: 1, maximum: 8 },
          hasIccProfile: { type: 'boolean' },
          uploaded: { type: 'string', format: 'date-time' },
          etag: { type: 'string' },
          placeholder: {
            type: 'object',
            properties: { thumbhash: { type: 'string', contentEncoding: 'base64' }, dominantColor: { type: 'string' } },
          },
          exif: {
            type: 'object',
            properties: {
              camera: { type: 'object', properties: { make: { type: 'string' }, model: { type: 'string' } } },
              takenAt: { type: 'string' },
              gps: { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } } },
            },
          },
          urls: { type: 'object', additionalProperties: { type: 'string' }, description: 'One URL per preset' },
        },
      },
      UploadResult: {
        allOf: [ref('Image'), { type: 'object', properties: { deduplicated: { type: 'boolean' }, name: { type: 'string' } } }],
      },
      UploadResults: {
        type: 'object',
        properties: {
          results: {
            type: 'array',
            items: {
              oneOf: [
                ref('UploadResult'),
                { type: 'object', properties: { name: { type: 'string' }, error: problem } },
              ],
            },
          },
        },
      },
      ImageList: {
        type: 'object',
        properties: {
          images: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: { type: 'string' },
                bytes: { type: 'integer' },
                name: { type: 'string', description: 'The uploaded file name (multipart uploads), at most 200 characters' },
                thumbhash: { type: 'string', contentEncoding: 'base64', description: 'Absent for objects not stored through the API' },
                dominantColor: { type: 'string' },
              },
            },
          },
          cursor: { type: 'string' },
          truncated: { type: 'boolean' },
        },
      },
      UploadTokenRequest: {
        type: 'object',
        description: 'Exactly one of key or prefix',
        properties: {
          key: { type: 'string' },
          prefix: { type: 'string' },
          maxBytes: { type: 'integer', minimum: 1 },
          types: { type: 'array', items: { enum: [...INPUT_FORMATS] } },
          expiresIn: { type: 'integer', minimum: 1, maximum: 3600, default: 900 },
        },
      },
      SignRequest: {
        type: 'object',
        required: ['path'],
        properties: {
          path: {
            type: 'string',
            description: '/img/<options>/<key>, or <THUMBOR_PATH_PREFIX>/unsafe/<Thumbor path> to get Thumbor\'s signature in place of unsafe',
            example: '/img/width=400/photos/cat.jpg',
          },
          expiresIn: { type: 'integer', minimum: 1, maximum: 31622400, description: 'Seconds (for /img paths); default SIGNED_URL_TTL' },
        },
      },
      SignedUrl: {
        type: 'object',
        required: ['url', 'path'],
        properties: {
          url: { type: 'string', format: 'uri', description: 'Absolute, on the origin the request came to' },
          path: { type: 'string', description: 'The signed path and query alone' },
          expiresAt: { type: 'string', format: 'date-time', description: 'For /img paths; Thumbor signatures do not expire' },
        },
      },
      UploadToken: {
        type: 'object',
        properties: {
          token: { type: 'string' },
          key: { type: 'string' },
          prefix: { type: 'string' },
          maxBytes: { type: 'integer' },
          types: { type: 'array', items: { type: 'string' } },
          expiresAt: { type: 'string', format: 'date-time' },
          upload: { type: 'object', properties: { method: { type: 'string' }, url: { type: 'string' }, field: { type: 'string' } } },
        },
      },
    },
  },
} as const;
