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
        // FUZZ_RUNS: random cases per property in test/fuzz.test.ts (`npm run fuzz` raises it). FUZZ_SEED:
        // fixed for npm test, so CI always runs the same cases; a fresh one for `npm run fuzz` (printed on failure).
        // OPTIMIZE: a high-effort re-encode after every miss would rewrite variants under other tests' feet;
        // test/jobs.test.ts runs that job itself.
        bindings: {
          ALLOW_UNSIGNED: 'true',
          OPTIMIZE: 'false',
          FUZZ_RUNS: process.env.FUZZ_RUNS ?? '25',
          FUZZ_SEED: process.env.FUZZ_SEED ?? (process.env.FUZZ_RUNS ? String(Date.now() % 2 ** 31) : '20261201'),
          TEST_S3_ENDPOINT: origins.s3Endpoint,
          TEST_HTTP_ORIGIN: origins.httpBase,
          TEST_ORIGIN_CONTROL: origins.controlBase,
        },
        // Tests read test/fixtures/ (and list folders, as JSON) through this binding: workerd has no file
        // system. It is workerd's own disk service, not a Node function: a Node-side binding is reached over
        // miniflare's loopback HTTP server, whose idle keep-alive connections Node closes after 5 s while
        // workerd's pool keeps them for 5 s too. When a long synchronous codec call (slow on a loaded
        // machine) holds workerd's event loop past that, the next fetch goes out on the connection Node
        // already closed and fails with "Network connection lost" (issue 16). The disk service is in-process.
        // (The test origins in test/origin-servers.mjs keep idle connections longer than workerd does, for the same reason.)
        serviceBindings: {
          FIXTURES: { disk: { path: fixturesDir, writable: false } },
        },
      },
    }),
  ],
  test: {
    // The worker logs one JSON line per request and per background job (test/logging.test.ts and test/jobs.test.ts
    // check them); the run's output needs none, nor the failures test/jobs.test.ts causes on purpose to see them retried.
    onConsoleLog: (log) => !log.includes('"level":"info"') && !log.includes('"event":"job-failed"'),
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
