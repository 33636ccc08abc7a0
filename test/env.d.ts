import type { Env } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends import('../src/env').Env {
      /** Serves ../shared/fixtures/<path> from the test runner's file system. */
      FIXTURES: Fetcher;
    }
  }
}
export type { Env };
