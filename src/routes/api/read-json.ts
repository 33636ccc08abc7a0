import { invalidRequest } from '../../errors';

/** The body as JSON, or a 400 that shows what was expected. */
export async function readJson(request: Request, example: string): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw invalidRequest(`Expected a JSON body such as ${example}.`);
  }
}
