// SigV4 as edgepix signs S3 origin requests (src/storage/s3-origin.ts, through aws4fetch), checked
// against an independent signer: AWS's own @smithy/signature-v4, fed the same request and clock.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('../../src/storage/s3-origin.ts', import.meta.url));
const bundled = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
const { s3Transport } = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`);

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const base = { prefix: 'minio/', type: 's3', endpoint: 'http://127.0.0.1:9000', bucket: 'photos', region: 'eu-west-1', timeoutSeconds: 10, retries: 2 };

/** The request the transport sends, caught instead of sent. */
async function signedBy(config, path) {
  let sent;
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (request) => ((sent = request), new Response(null, { status: 204 }));
  try {
    const transport = s3Transport(config, credentials);
    await transport.send(transport.url(path), { headers: { Range: 'bytes=0-4095' } });
  } finally {
    globalThis.fetch = realFetch;
  }
  return sent;
}

async function oracle(request, region) {
  const url = new URL(request.url);
  const date = request.headers.get('x-amz-date');
  const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 11)}:${date.slice(11, 13)}:${date.slice(13)}`);
  const signer = new SignatureV4({ service: 's3', region, credentials, sha256: Hash.bind(null, 'sha256'), uriEscapePath: false }); // S3 paths are escaped once, as the URL already is
  // The headers aws4fetch chose to sign (host and x-amz-*; Range is not protected by S3 signatures anyway).
  const signedNames = /SignedHeaders=([^,]+)/.exec(request.headers.get('authorization'))[1].split(';');
  const headers = Object.fromEntries(signedNames.map((name) => [name, name === 'host' ? url.host : request.headers.get(name)]));
  const signed = await signer.sign(
    { method: request.method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || undefined, path: url.pathname, headers },
    { signingDate },
  );
  return signed.headers.authorization;
}

for (const [name, config, key] of [
  ['path-style', { ...base, pathStyle: true }, 'cat.jpg'],
  ['virtual-hosted', { ...base, endpoint: 'https://s3.eu-west-1.amazonaws.com', pathStyle: false }, 'albums/2024/cat.jpg'],
  ['a key with spaces, unicode and "+"', { ...base, pathStyle: true }, 'dir/a b+c é 猫.jpg'],
]) {
  test(`SigV4 of a ${name} GET matches @smithy/signature-v4`, async () => {
    const path = key.split('/').map(encodeURIComponent).join('/');
    const request = await signedBy(config, path);
    assert.match(request.headers.get('authorization'), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request/);
    assert.equal(request.headers.get('authorization'), await oracle(request, 'eu-west-1'));
    assert.equal(new URL(request.url).pathname.endsWith(`/${path}`), true);
  });
}
