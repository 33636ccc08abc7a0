/**
 * One structured line per request (what `wrangler tail` and Workers Logs
 * show), and the same facts as a data point for Workers Analytics Engine
 * when a METRICS binding exists. Handlers add what only they know with
 * {@link noteRequest}; the rest is read from the response. The path is
 * logged without its query string, so no signature or expiry is.
 */

export interface RequestNote {
  inputFormat?: string;
  inputMegapixels?: number;
  /** The original's size in bytes, against which bytes saved are measured. */
  inputBytes?: number;
  /** Milliseconds per stage, as in Server-Timing. */
  stages?: Record<string, number>;
  /** The problem slug of an error answer. */
  errorClass?: string;
}

const notes = new WeakMap<Request, RequestNote>();

export function noteRequest(request: Request, note: RequestNote): void {
  const known = notes.get(request) ?? {};
  notes.set(request, { ...known, ...note, stages: { ...known.stages, ...note.stages } });
}

/** The part of the API a path belongs to: `/img`, `/api/v1`, the Thumbor prefix, … */
export type RouteOf = (path: string) => { route: string; dialect?: string };

export function logRequest(request: Request, response: Response, started: number, routeOf: RouteOf, metrics?: AnalyticsEngineDataset): void {
  const note = notes.get(request) ?? {};
  const path = new URL(request.url).pathname;
  const { route, dialect } = routeOf(path);
  const line = {
    level: 'info',
    event: 'request',
    method: request.method,
    route,
    dialect,
    path,
    status: response.status,
    tier: response.headers.get('X-Edgepix-Cache') ?? undefined,
    inputFormat: note.inputFormat,
    inputMegapixels: note.inputMegapixels,
    inputBytes: note.inputBytes,
    outputFormat: response.headers.get('Content-Type') ?? undefined,
    outputBytes: Number(response.headers.get('Content-Length') ?? 0) || undefined,
    ms: Math.round((performance.now() - started) * 10) / 10,
    stages: note.stages,
    errorClass: note.errorClass,
  };
  console.log(JSON.stringify(line));
  metrics?.writeDataPoint({
    indexes: [line.tier ?? route],
    blobs: [route, dialect ?? '', line.tier ?? '', line.inputFormat ?? '', line.outputFormat ?? '', String(line.status), line.errorClass ?? ''],
    doubles: [line.ms, line.outputBytes ?? 0, line.inputMegapixels ?? 0, note.stages?.decode ?? 0, line.inputBytes ?? 0],
  });
}
