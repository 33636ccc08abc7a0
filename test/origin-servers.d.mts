/** Types of origin-servers.mjs, for vitest.config.ts. */
export declare function startOriginServers(): Promise<{
  /** s3rver's endpoint, e.g. `http://127.0.0.1:40123`; its bucket is `photos`. */
  s3Endpoint: string;
  /** The HTTP file server's base URL, ending in `/media/`. */
  httpBase: string;
  /** Where tests put and remove objects: `<controlBase>s3/<key>`, `<controlBase>http/<path>`, `<controlBase>http-log`. */
  controlBase: string;
}>;
