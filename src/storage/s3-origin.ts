/**
 * An S3-compatible store (AWS S3, MinIO, Ceph, R2's S3 API…), read with
 * SigV4-signed GETs (aws4fetch), path-style (`endpoint/bucket/key`) or
 * virtual-hosted (`bucket.endpoint/key`). Without credentials it reads
 * anonymously, for public buckets.
 */
import { AwsClient } from 'aws4fetch';
import type { S3OriginConfig } from '../config';
import { remoteOrigin, type RemoteLimits, type Transport } from './remote-origin';
import type { Origin } from './origin';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The URL of an (encoded) object path. */
function s3Url(config: S3OriginConfig, path: string): string {
  const endpoint = new URL(config.endpoint);
  const base = endpoint.pathname.replace(/\/+$/, '');
  if (config.pathStyle) return `${endpoint.origin}${base}/${config.bucket}/${path}`;
  return `${endpoint.protocol}//${config.bucket}.${endpoint.host}${base}/${path}`;
}

/** @public Also bundled by test/node/sigv4.test.mjs, which checks its signatures against @smithy/signature-v4. */
export function s3Transport(config: S3OriginConfig, credentials?: S3Credentials): Transport {
  // retries: 0 — aws4fetch would otherwise retry 5xx up to 10 times on its own, past our deadlines.
  const client = credentials && new AwsClient({ ...credentials, service: 's3', region: config.region, retries: 0 });
  return {
    name: `${config.prefix} (s3)`,
    kind: 's3',
    url: (path) => s3Url(config, path),
    send: (url, init) => (client ? client.fetch(url, init) : fetch(url, init)),
    followSameHostRedirects: false,
  };
}

export const s3Origin = (config: S3OriginConfig, limits: RemoteLimits, credentials?: S3Credentials): Origin =>
  remoteOrigin(s3Transport(config, credentials), limits);
