/**
 * What a request says about its client beyond Accept: whether its
 * connection is slow, by the client hints Cloudflare reads for
 * slow-connection-quality — Save-Data: on, an effective connection type of
 * 2G or slower-3G (ECT), a round trip over 150 ms (RTT) or under 5 Mbit/s
 * (Downlink). Browsers send the last three only to sites that ask for them
 * (Accept-CH); responses that depend on them say so in Vary.
 */
import type { TransformSpec } from '../spec/transform-spec';

const SLOW_CONNECTION_HINTS = ['Save-Data', 'ECT', 'RTT', 'Downlink'];

const SLOW_ECT = new Set(['slow-2g', '2g', '3g']);
const SLOW_RTT_MS = 150;
const SLOW_DOWNLINK_MBPS = 5;

export interface Client {
  accept: string | null;
  slowConnection: boolean;
}

export function clientOf(headers: Headers): Client {
  const number = (name: string) => Number(headers.get(name) ?? NaN);
  const slowConnection =
    headers.get('Save-Data')?.trim().toLowerCase() === 'on' ||
    SLOW_ECT.has(headers.get('ECT')?.trim().toLowerCase() ?? '') ||
    number('RTT') > SLOW_RTT_MS ||
    number('Downlink') < SLOW_DOWNLINK_MBPS;
  return { accept: headers.get('Accept'), slowConnection };
}

/** The request headers a spec's answer depends on: Accept for `format=auto`, the client hints for slow-connection-quality. */
export function varyOf(spec: TransformSpec): string[] {
  return [...(spec.format === 'auto' && !spec.fastCompression ? ['Accept'] : []), ...(spec.slowQuality !== undefined ? SLOW_CONNECTION_HINTS : [])];
}

