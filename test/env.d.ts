import type { Env as WorkerEnv } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      /** Serves test/fixtures/<path> from the test runner's file system. */
      FIXTURES: Fetcher;
    }
  }
}
