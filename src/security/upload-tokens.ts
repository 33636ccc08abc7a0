/**
 * Upload tokens: short-lived, single-use bearer tokens that let a browser
 * upload one file to one key (or under one prefix) without the admin token,
 * like Cloudflare Images' direct creator upload.
 *
 * State lives in R2, the only storage we have: one record per token in the
 * VARIANTS bucket under `:edgepix/upload-tokens/<sha256 of token>` (only the
 * hash is stored, so listing the bucket reveals no usable token). Variant
 * keys start with `encodeURIComponent(originalKey)`, which always escapes
 * `:`, so no original's purge can ever touch these records. Using a token
 * rewrites its record as used with `onlyIf: { etagMatches }` — a
 * compare-and-swap: of two concurrent uploads with one token exactly one
 * wins. Expired and used records are inert; an R2 lifecycle rule on the
 * prefix can delete them after a day.
 */
import * as v from 'valibot';
import { INPUT_FORMATS, type InputFormat } from '../lib/formats';
import { forbidden, unauthorized, unsupportedMediaType, tooLarge } from '../errors';
import type { UploadTarget } from '../lib/keys';
import { encodeBase64url } from '../../sdk/canonical.js';
import { r2 } from '../lib/r2';
import { sha256Hex } from '../lib/sha256';

const RECORD_PREFIX = ':edgepix/upload-tokens/';
/** Marks upload tokens apart from the admin token, so only these cost an R2 read. */
const TOKEN_PREFIX = 'ept_';

const MAX_TOKEN_TTL_SECONDS = 3600;

export const UploadTokenRequestSchema = v.pipe(
  v.strictObject({
    key: v.optional(v.pipe(v.string(), v.nonEmpty())),
    prefix: v.optional(v.pipe(v.string(), v.nonEmpty())),
    maxBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    types: v.optional(v.pipe(v.array(v.picklist(INPUT_FORMATS)), v.nonEmpty())),
    expiresIn: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_TOKEN_TTL_SECONDS)), 900),
  }),
  v.check((r) => (r.key === undefined) !== (r.prefix === undefined), 'exactly one of key or prefix'),
);

export interface UploadTokenRecord {
  scope: { key: string } | { prefix: string };
  maxBytes: number;
  types: InputFormat[];
  /** Milliseconds since the epoch. */
  expiresAt: number;
  used: boolean;
}

/** A verified, unused token; {@link consumeUploadToken} spends it. */
export interface UploadGrant {
  kind: 'upload-token';
  record: UploadTokenRecord;
  recordKey: string;
  recordEtag: string;
}

const recordKey = async (token: string) => RECORD_PREFIX + (await sha256Hex(new TextEncoder().encode(token)));

export const looksLikeUploadToken = (token: string) => token.startsWith(TOKEN_PREFIX);

export async function issueUploadToken(bucket: R2Bucket, record: Omit<UploadTokenRecord, 'used'>): Promise<string> {
  const random = crypto.getRandomValues(new Uint8Array(32));
  const token = TOKEN_PREFIX + encodeBase64url(random);
  const key = await recordKey(token);
  await r2('upload token write', () => bucket.put(key, JSON.stringify({ ...record, used: false } satisfies UploadTokenRecord)));
  return token;
}

export async function findUploadToken(bucket: R2Bucket, token: string, now = Date.now()): Promise<UploadGrant> {
  const key = await recordKey(token);
  const object = await r2('upload token read', () => bucket.get(key));
  if (!object) throw unauthorized('Unknown upload token.');
  const record = await object.json<UploadTokenRecord>();
  if (record.used) throw unauthorized('This upload token has already been used.');
  if (record.expiresAt <= now) throw unauthorized('This upload token has expired.');
  return { kind: 'upload-token', record, recordKey: key, recordEtag: object.etag };
}

const within = (key: string, prefix: string) => key === prefix || key.startsWith(`${prefix}/`);

/** Narrows an upload's target to the token's scope, or refuses it (403) before any byte is examined. */
export function scopeTarget(grant: UploadGrant, target: UploadTarget, fileCount: number): UploadTarget {
  if (fileCount !== 1) throw forbidden('An upload token covers exactly one file.');
  if (target.overwrite) throw forbidden('An upload token cannot overwrite an existing original.');
  const { scope } = grant.record;
  if ('key' in scope) {
    if (target.key !== undefined && target.key !== scope.key) {
      throw forbidden(`This upload token only allows the key "${scope.key}".`);
    }
    return { key: scope.key, overwrite: false };
  }
  const requested = target.key ?? target.prefix ?? scope.prefix;
  if (!within(requested, scope.prefix)) throw forbidden(`This upload token only allows keys under "${scope.prefix}/".`);
  return target.key !== undefined ? target : { prefix: requested, overwrite: false };
}

export function assertGrantAllowsFile(grant: UploadGrant, format: InputFormat, bytes: number): void {
  const { types, maxBytes } = grant.record;
  if (!types.includes(format)) {
    throw unsupportedMediaType(`The file is ${format.toUpperCase()}; this upload token allows ${types.join(', ')}.`);
  }
  if (bytes > maxBytes) throw tooLarge(`The file is ${bytes} bytes; this upload token allows ${maxBytes}.`);
}

/** Spends the token; throws if another request spent it first. */
export async function consumeUploadToken(bucket: R2Bucket, grant: UploadGrant): Promise<void> {
  const used = JSON.stringify({ ...grant.record, used: true } satisfies UploadTokenRecord);
  const swapped = await r2('upload token spend', () => bucket.put(grant.recordKey, used, { onlyIf: { etagMatches: grant.recordEtag } }));
  if (!swapped) throw unauthorized('This upload token has already been used.');
}
