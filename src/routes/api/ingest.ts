/**
 * One file's way in, shared by POST (multipart) and PUT (raw body): validate
 * by content and describe (415/422/413, nothing stored), spend an upload
 * token if that is how the caller got in, then one atomic R2 write.
 *
 * The bytes are buffered rather than streamed to R2: the content-addressed
 * key is the SHA-256 of the bytes, the format and dimensions must be checked
 * before anything is stored, and a half-checked stream already in R2 would
 * be a half-write. The body limit bounds the buffer before it is read.
 */
import type { Context } from 'hono';
import { getConfig, type Config } from '../../config';
import { notWritable } from '../../errors';
import { forgetOriginal } from '../../delivery/original';
import { contentAddressedKey, type UploadTarget } from '../../lib/keys';
import { toCustomMetadata } from '../../metadata/custom-metadata';
import { contentTypeOf, describeImage, type FormatCheck } from '../../metadata/describe';
import type { ApiEnv } from '../../security/auth';
import { assertGrantAllowsFile, consumeUploadToken } from '../../security/upload-tokens';
import { logError } from '../../lib/log';
import { sendJobs, type PresetJob } from '../../queue/jobs';
import { originFor } from '../../storage/origins';
import { namedPreset } from '../../url/cloudflare/parse';
import { writeOriginal } from '../../storage/uploads';
import { imageResource } from './image-resource';

/** A file name is kept for people (the console shows it), cut short: R2 allows 2 KiB of metadata in all. */
const MAX_NAME_LENGTH = 200;

/** PREGENERATE × PREGENERATE_FORMATS: the background jobs an upload starts. */
function presetJobs(key: string, etag: string, site: string, config: Config): Omit<PresetJob, 'id'>[] {
  return config.pregenerate.flatMap((preset) => {
    // A preset that names its format is one variant whatever the client accepts.
    const formats = namedPreset(preset, config).format === 'auto' ? config.pregenerateFormats : config.pregenerateFormats.slice(0, 1);
    return formats.map((format) => ({ kind: 'preset' as const, key, etag, preset, format, origin: site }));
  });
}

/** `name` is the uploaded file's name, when the upload had one (multipart). */
export async function ingest(c: Context<ApiEnv>, bytes: Uint8Array, target: UploadTarget, name?: string) {
  const config = getConfig(c.env);
  const grant = c.get('grant');
  // A token's type and size rules are checked right after sniffing, before any decoding.
  const checkFormat: FormatCheck | undefined =
    grant.kind === 'upload-token' ? (format) => assertGrantAllowsFile(grant, format, bytes.length) : undefined;
  const facts = await describeImage(bytes, config, checkFormat);
  const key = target.key ?? contentAddressedKey(facts.sha256, facts.format, target.prefix);
  const origin = originFor(c.env, config, key);
  if (origin.kind !== 'r2') throw notWritable(`"${key}" is read from the origin ${origin.name}; upload it there. edgepix writes originals only to R2.`);
  if (grant.kind === 'upload-token') await consumeUploadToken(c.env.VARIANTS, grant);
  const stored = await writeOriginal(c.env.ORIGINALS, {
    key,
    bytes,
    contentType: contentTypeOf(facts),
    customMetadata: { ...toCustomMetadata(facts), ...(name ? { name: name.slice(0, MAX_NAME_LENGTH) } : {}) },
    overwrite: target.overwrite,
    holdsSameBytes: target.key === undefined ? (existing) => existing.customMetadata?.sha256 === facts.sha256 : undefined,
  });
  forgetOriginal(stored.key);
  const site = new URL(c.req.url).origin;
  // After the answer: the original is stored either way, and a queue that fails to take the jobs costs only their head start.
  if (!stored.deduplicated) {
    const jobs = presetJobs(stored.key, stored.etag, site, config);
    c.executionCtx.waitUntil(sendJobs(c.env.JOBS, jobs).catch((error: unknown) => logError('job-send-failed', error, { key: stored.key })));
  }
  const image = { key: stored.key, facts, uploaded: stored.uploaded, etag: stored.etag };
  return { ...(await imageResource(image, site, config)), deduplicated: stored.deduplicated };
}
