// Real origin servers for test/origins.test.ts, started on 127.0.0.1 by vitest.config.ts:
// - s3rver, an S3-compatible server speaking the S3 REST API (it checks access keys, not SigV4 signatures);
// - a small HTTP file server with ETag, Last-Modified, Range and If-None-Match, whose paths under
//   behaviour prefixes misbehave on purpose (errors, stalls, redirects, no length, no validator).
// Tests put and remove objects through the HTTP server's /__control/ paths (control()).
//
// Every server here keeps idle keep-alive connections open longer than workerd's client pool does
// (5 s), so workerd always drops an idle connection first and never sends a request on one that Node
// has closed ("Network connection lost" after a long synchronous decode; see vitest.config.ts).
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsClient } from 'aws4fetch';
import S3rver from 's3rver';

export const S3_BUCKET = 'photos';
// s3rver's built-in account.
export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const IDLE_KEEP_ALIVE_MS = 60_000;

/** Outlives workerd's pool timeout, and never holds the test run open. */
function longLived(server) {
  server.keepAliveTimeout = IDLE_KEEP_ALIVE_MS;
  server.headersTimeout = IDLE_KEEP_ALIVE_MS + 1000;
  server.unref();
  server.on('connection', (socket) => socket.unref());
  return server;
}

const listen = (server) =>
  new Promise((resolve) => longLived(server).listen(0, '127.0.0.1', () => resolve(server.address().port)));

async function startS3() {
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 'edgepix-s3rver-')),
    configureBuckets: [{ name: S3_BUCKET }],
  });
  const { port } = await s3.run();
  longLived(s3.httpServer);
  return `http://127.0.0.1:${port}`;
}

/** The HTTP origin's files (path → bytes and when they were put) and the requests it saw. */
const files = new Map();
const seen = [];

function serveFile(request, response, control) {
  if (request.url.startsWith('/__control/')) return void control(request, response);
  const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
  seen.push({ path, range: request.headers.range ?? null, ifNoneMatch: request.headers['if-none-match'] ?? null, authorization: request.headers.authorization ?? null });
  const [behaviour] = path.replace(/^\/media\//, '').split('/');
  if (behaviour === 'error-500') return response.writeHead(500).end('internal details that must not leak');
  if (behaviour === 'slow') return; // never answers: the origin's timeout must
  if (behaviour === 'redirect-away') return response.writeHead(302, { Location: 'http://127.0.0.2:9/elsewhere.jpg' }).end();
  if (behaviour === 'redirect-here') return response.writeHead(302, { Location: path.replace('/redirect-here/', '/') }).end();
  const file = files.get(path);
  if (!file) return response.writeHead(404).end('no such file');
  const etag = `"${createHash('sha256').update(file.bytes).digest('hex').slice(0, 16)}"`;
  const validators = behaviour === 'no-validator' ? {} : { ETag: etag, 'Last-Modified': file.modified.toUTCString() };
  if (behaviour === 'stall') {
    response.writeHead(200, validators);
    return response.write(file.bytes.subarray(0, 100)); // and nothing more
  }
  if (request.headers['if-none-match'] === etag) return response.writeHead(304, validators).end();
  // `no-length`: ignores Range and sends no Content-Length, so only counting the body can enforce a cap.
  const range = behaviour === 'no-length' ? undefined : /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    const end = Math.min(Number(range[2]), file.bytes.length - 1);
    if (start >= file.bytes.length) return response.writeHead(416, { 'Content-Range': `bytes */${file.bytes.length}` }).end();
    response.writeHead(206, { ...validators, 'Content-Range': `bytes ${start}-${end}/${file.bytes.length}`, 'Content-Length': end - start + 1 });
    return response.end(file.bytes.subarray(start, end + 1));
  }
  response.writeHead(200, behaviour === 'no-length' ? validators : { ...validators, 'Content-Length': file.bytes.length });
  response.end(file.bytes);
}

async function startHttp(control) {
  const port = await listen(createServer((request, response) => serveFile(request, response, control)));
  return `http://127.0.0.1:${port}`;
}

const readBody = async (request) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
};

/** Both servers, once per test run. */
export async function startOriginServers() {
  const s3Endpoint = await startS3();
  const s3 = new AwsClient({ ...S3_CREDENTIALS, service: 's3', region: 'us-east-1' });
  const s3Url = (key) => `${s3Endpoint}/${S3_BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`;

  /** /__control/: PUT or DELETE s3/<key> and http/<path>; GET http-log returns and clears what the HTTP origin saw. */
  async function control(request, response) {
    const [type, ...rest] = decodeURIComponent(new URL(request.url, 'http://x').pathname).replace(/^\/__control\//, '').split('/');
    const key = rest.join('/');
    if (type === 'http-log') return response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(seen.splice(0)));
    const body = request.method === 'PUT' ? await readBody(request) : undefined;
    if (type === 's3') {
      const answer = await s3.fetch(s3Url(key), { method: request.method, body });
      return response.writeHead(answer.ok ? 204 : answer.status).end();
    }
    if (request.method === 'PUT') files.set(`/media/${key}`, { bytes: body, modified: new Date() });
    else files.delete(`/media/${key}`);
    response.writeHead(204).end();
  }
  const origin = await startHttp(control);
  return { s3Endpoint, httpBase: `${origin}/media/`, controlBase: `${origin}/__control/` };
}
