/** Requests with an ORIGINALS bucket that fails if touched: proves a refusal came before any R2 work. */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../src/index';

export async function requestWithoutR2(path: string, vars: Record<string, string>): Promise<Response> {
  const untouchable = new Proxy(env.ORIGINALS, {
    get: () => () => {
      throw new Error('R2 was read before the signature was verified');
    },
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://localhost${path}`), { ...env, ...vars, ORIGINALS: untouchable }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}
