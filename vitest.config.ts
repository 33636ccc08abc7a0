import { readdir, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { startOriginServers } from './test/origin-servers.mjs';

const fixturesDir = fileURLToPath(new URL('./test/fixtures/', import.meta.url));

// A real S3-compatible server and an HTTP file server on 127.0.0.1, for test/origins.test.ts.
const origins = await startOriginServers();

// wrangler warns that wrangler.toml has no [env.test] section; that is intended (see below).
process.env.WRANGLER_LOG ??= 'error';

export default defineConfig({
  plugins: [
    cloudflareTest({
      // The "test" environment makes wrangler read the committed, empty .dev.vars.test instead of a
      // developer's .dev.vars, so settings made for `npm start` never change what the tests see.
      wrangler: { configPath: './wrangler.toml', environment: 'test' },
      miniflare: {
        // Production requires signed /img URLs; most tests are about pixels, so they may go unsigned.
        // test/signing.test.ts turns this off per request.
        // FUZZ_RUNS: random cases per property in test/fuzz.test.ts (`npm run fuzz` raises it).
        bindings: { ALLOW_UNSIGNED: 'true', FUZZ_RUNS: process.env.FUZZ_RUNS ?? '25', TEST_S3_ENDPOINT: origins.s3Endpoint, TEST_HTTP_ORIGIN: origins.httpBase },
        // Tests read test/fixtures/ (and list folders, as JSON) through this binding: workerd has no file system.
        serviceBindings: {
          ORIGIN_CONTROL: origins.control,
          FIXTURES: async (request: Request) => {
            const path = decodeURIComponent(new URL(request.url).pathname).replace(/^\/+/, '');
            if (path.includes('..')) return new Response('bad path', { status: 400 });
            try {
              const file = fixturesDir + path;
              if ((await stat(file)).isDirectory()) return Response.json(await readdir(file));
              return new Response(await readFile(file));
            } catch {
              return new Response(`no fixture ${path}`, { status: 404 });
            }
          },
        },
      },
    }),
  ],
  test: {
    // The worker logs one JSON line per request (test/logging.test.ts checks them); the run's output needs none.
    onConsoleLog: (log) => !log.includes('"event":"request"'),
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
