/**
 * Structured log lines (one JSON object each, as `wrangler tail` and Workers
 * Logs show them). They carry what happened and its cause, never a request's
 * secrets: callers pass a route, not headers or signatures.
 */
const describe = (error: unknown) =>
  error instanceof Error ? { error: error.name, message: error.message, stack: error.stack, cause: error.cause && String(error.cause) } : { error: String(error) };

export function logError(event: string, error: unknown, context: Record<string, unknown> = {}): void {
  console.error(JSON.stringify({ level: 'error', event, ...context, ...describe(error) }));
}

/** What background work did (a preset made, bytes an optimize pass saved): one info line. */
export function logEvent(event: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ level: 'info', event, ...fields }));
}
