/**
 * An origin reached over HTTP (S3-compatible stores and plain web servers):
 * the same questions as R2, asked with ranged and conditional GETs.
 *
 * - Only the configured endpoint is contacted; a redirect is followed only to
 *   the same host (http origins) or not at all (S3).
 * - Each attempt has a deadline for the response headers, and the body the
 *   same idle limit between chunks; network errors, timeouts and 5xx are
 *   retried a bounded number of times with jittered backoff, then answered
 *   502/504 with Retry-After. The origin's own reply never reaches the client.
 * - Versions come from ETag, or Last-Modified and length; pinned reads check
 *   that the validator is unchanged (few servers honour If-Match, so the
 *   answer's own validator decides).
 * - Sizes are never trusted: every body is counted as it streams and cut off
 *   at MAX_ORIGINAL_BYTES.
 */
import { notFound, originalChanged, originTimeout, originUnavailable, ProblemError, tooLarge, unsupportedMediaType } from '../errors';
import { encodeKeyPath } from '../lib/keys';
import { trackBuffer } from '../lib/memory-meter';
import { PREFIX_BYTES, type Lookup, type Origin, type OriginalVersion } from './origin';

export interface Transport {
  /** `minio/ (s3)`: for messages. */
  name: string;
  kind: 's3' | 'http';
  /** The URL of a path inside the origin (already percent-encoded). */
  url(path: string): string;
  /** Sends one request (signing it, adding configured headers). */
  send(url: string, init: RequestInit): Promise<Response>;
  /** http origins may redirect within their own host; S3 answers never redirect a GET that works. */
  followSameHostRedirects: boolean;
  /** Anyone may GET the origin's URLs: an http origin that needs no secret headers. */
  public?: boolean;
}

export interface RemoteLimits {
  /** The part of an edgepix key the origin serves: it is stripped, and `root` put in its place. */
  prefix: string;
  root?: string;
  timeoutSeconds: number;
  retries: number;
  maxOriginalBytes: number;
}

const MAX_REDIRECTS = 3;

class Timeout extends Error {}

/** Rejects with {@link Timeout} unless `work` settles within `ms`; `onTimeout` cancels it. */
async function within<T>(ms: number, work: Promise<T>, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Timeout());
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An ETag without quotes or weakness, or `lm<seconds>-<length>`; either kept to characters safe in an R2 key. */
function validatorOf(response: Response, size: number): string | undefined {
  const etag = response.headers.get('ETag')?.replace(/^W\//, '').replace(/"/g, '');
  const lastModified = Date.parse(response.headers.get('Last-Modified') ?? '');
  const validator = etag || (Number.isFinite(lastModified) ? `lm${lastModified / 1000}-${size}` : undefined);
  return validator?.replace(/[^A-Za-z0-9._-]/g, (c) => `~${c.charCodeAt(0).toString(16)}`);
}

/** The whole object's size: from Content-Range on a 206, else Content-Length (0 when absent). */
function totalSize(response: Response): number {
  const range = /\/(\d+)$/.exec(response.headers.get('Content-Range') ?? '');
  return Number(range?.[1] ?? response.headers.get('Content-Length') ?? 0);
}

export function remoteOrigin(transport: Transport, limits: RemoteLimits): Origin {
  const timeoutMs = limits.timeoutSeconds * 1000;
  const pathOf = (key: string) => encodeKeyPath([limits.root, key.slice(limits.prefix.length)].filter(Boolean).join('/'));

  /** One GET, redirects within the host followed, headers within the deadline; undefined on a network error. */
  async function attempt(key: string, headers: Record<string, string>): Promise<Response> {
    let url = transport.url(pathOf(key));
    const host = new URL(url).host;
    for (let hop = 0; ; hop++) {
      const abort = new AbortController();
      const response = await within(timeoutMs, transport.send(url, { headers, redirect: 'manual', signal: abort.signal }), () => abort.abort());
      const location = response.headers.get('Location');
      if (response.status < 300 || response.status >= 400 || !location) return response;
      await response.body?.cancel();
      const next = new URL(location, url);
      if (!transport.followSameHostRedirects || next.host !== host || hop === MAX_REDIRECTS) {
        throw originUnavailable(`The origin ${transport.name} redirected to another place; edgepix follows redirects only within its host.`);
      }
      url = next.href;
    }
  }

  /** {@link attempt}, retried on network errors, timeouts and 5xx; a client error is answered at once. */
  async function get(key: string, headers: Record<string, string>): Promise<Response> {
    for (let tries = 0; ; tries++) {
      let failure: 'timeout' | 'unreachable' | number;
      try {
        const response = await attempt(key, headers);
        if (response.status < 500) return response;
        await response.body?.cancel();
        failure = response.status;
      } catch (error) {
        // Our own refusals (a redirect elsewhere) stand; anything else the fetch threw means no answer.
        if (error instanceof ProblemError) throw error;
        failure = error instanceof Timeout ? 'timeout' : 'unreachable';
      }
      if (tries >= limits.retries) {
        const attempts = `${tries + 1} attempt${tries === 0 ? '' : 's'}`;
        if (failure === 'timeout') throw originTimeout(`The origin ${transport.name} did not answer within ${limits.timeoutSeconds} s (${attempts}).`);
        throw originUnavailable(`The origin ${transport.name} ${failure === 'unreachable' ? 'could not be reached' : `answered ${failure}`} (${attempts}).`);
      }
      // Exponential backoff with full jitter: 0–100 ms, 0–200 ms, …
      await sleep(Math.random() * 100 * 2 ** tries);
    }
  }

  /** Maps what is not a success for this key to its problem. */
  async function refuse(response: Response, key: string): Promise<never> {
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) throw notFound(`No original at key "${key}".`);
    if (response.status === 412) throw originalChanged();
    if (response.status === 401 || response.status === 403) {
      throw originUnavailable(`The origin ${transport.name} refused access (${response.status}); check its credentials.`);
    }
    throw originUnavailable(`The origin ${transport.name} answered ${response.status}.`);
  }

  /** The body, counted as it streams; past `max` bytes it fails with 413, and a stalled chunk with 504. */
  function guarded(body: ReadableStream<Uint8Array>, max: number): ReadableStream<Uint8Array> {
    const reader = body.getReader();
    let seen = 0;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await within(timeoutMs, reader.read(), () => void reader.cancel());
        } catch (error) {
          throw error instanceof Timeout ? originTimeout(`The origin ${transport.name} stalled for ${limits.timeoutSeconds} s mid-body.`) : error;
        }
        if (chunk.done) return controller.close();
        seen += chunk.value.byteLength;
        if (seen > max) {
          await reader.cancel();
          throw tooLarge(`The original is over ${max} bytes, the limit (MAX_ORIGINAL_BYTES).`);
        }
        controller.enqueue(chunk.value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
  }

  async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  /** A GET of this version: refused as `original-changed` if the origin now holds another one. */
  async function getPinned(version: OriginalVersion, headers: Record<string, string> = {}): Promise<Response> {
    const response = await get(version.key, headers);
    if (!response.ok) return refuse(response, version.key);
    if (validatorOf(response, totalSize(response)) !== version.etag) {
      await response.body?.cancel();
      throw originalChanged();
    }
    return response;
  }

  return {
    name: transport.name,
    kind: transport.kind,
    ...(transport.public && { publicUrl: (key: string) => transport.url(pathOf(key)) }),
    async lookup(key, known): Promise<Lookup> {
      const conditional: Record<string, string> = known ? { 'If-None-Match': `"${known.etag}"` } : {};
      const response = await get(key, { Range: `bytes=0-${PREFIX_BYTES - 1}`, ...conditional });
      if (known && response.status === 304) return { changed: false };
      // 416: a range of an empty object cannot be satisfied.
      if (response.status === 416) throw unsupportedMediaType('The original is empty.');
      if (!response.ok || !response.body) return refuse(response, key);
      const size = totalSize(response);
      const etag = validatorOf(response, size);
      if (!etag) {
        await response.body.cancel();
        throw originUnavailable(`The origin ${transport.name} sends neither ETag nor Last-Modified, so its files cannot be versioned.`);
      }
      // A server that ignores Range sends the whole file: keep the first bytes only.
      const prefix = (await collect(guarded(response.body, Infinity).pipeThrough(firstBytes(PREFIX_BYTES))));
      if (prefix.length === 0) throw unsupportedMediaType('The original is empty.');
      const modified = Date.parse(response.headers.get('Last-Modified') ?? '');
      return { changed: true, version: { key, etag, size, uploaded: new Date(Number.isFinite(modified) ? modified : Date.now()) }, prefix };
    },
    async read(version) {
      const response = await getPinned(version);
      return trackBuffer(await collect(guarded(response.body!, limits.maxOriginalBytes)));
    },
    async readHead(version, length) {
      const response = await getPinned(version, { Range: `bytes=0-${length - 1}` });
      return (await collect(guarded(response.body!, Infinity).pipeThrough(firstBytes(length))));
    },
    async stream(version) {
      return guarded((await getPinned(version)).body!, limits.maxOriginalBytes);
    },
  };
}

/** Passes on the first `length` bytes, then cancels the rest of the body. */
function firstBytes(length: number): TransformStream<Uint8Array, Uint8Array> {
  let taken = 0;
  return new TransformStream({
    transform(chunk, controller) {
      if (taken >= length) return controller.terminate();
      controller.enqueue(chunk.subarray(0, length - taken));
      taken += chunk.byteLength;
      if (taken >= length) controller.terminate();
    },
  });
}
