/** A web server: plain GETs of `base` + key, with optional request headers (e.g. an Authorization) from a secret. */
import type { HttpOriginConfig } from '../config';
import { remoteOrigin, type RemoteLimits } from './remote-origin';
import type { Origin } from './origin';

export const httpOrigin = (config: HttpOriginConfig, limits: RemoteLimits, headers: Record<string, string> = {}): Origin =>
  remoteOrigin(
    {
      name: `${config.prefix} (http)`,
      kind: 'http',
      url: (path) => config.base + path,
      send: (url, init) => fetch(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } }),
      followSameHostRedirects: true,
      public: config.headers === undefined,
    },
    limits,
  );
