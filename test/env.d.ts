import type { Env as WorkerEnv } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      /** Serves test/fixtures/<path> from the test runner's file system. */
      FIXTURES: Fetcher;
      /** Where tests put and remove objects in the test origins (test/origin-servers.mjs). */
      TEST_ORIGIN_CONTROL: string;
      /** s3rver's endpoint, and the HTTP file server's base URL, on 127.0.0.1. */
      TEST_S3_ENDPOINT: string;
      TEST_HTTP_ORIGIN: string;
      FUZZ_RUNS: string;
      FUZZ_SEED: string;
    }
  }
}
