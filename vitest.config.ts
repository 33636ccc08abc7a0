import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

const fixturesDir = fileURLToPath(new URL('./test/fixtures/', import.meta.url));

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
        bindings: { ALLOW_UNSIGNED: 'true' },
        // Tests read test/fixtures/ (and list folders, as JSON) through this binding: workerd has no file
        // system. It is workerd's own disk service, not a Node function: a Node-side binding is reached over
        // miniflare's loopback HTTP server, whose idle keep-alive connections Node closes after 5 s while
        // workerd's pool keeps them for 5 s too. When a long synchronous codec call (slow on a loaded
        // machine) holds workerd's event loop past that, the next fetch goes out on the connection Node
        // already closed and fails with "Network connection lost" (issue 16). The disk service is in-process.
        serviceBindings: {
          FIXTURES: { disk: { path: fixturesDir, writable: false } },
        },
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
