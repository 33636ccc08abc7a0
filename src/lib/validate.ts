/** The one way a valibot schema's verdict becomes a problem: the first issue, named by its path. */
import * as v from 'valibot';
import type { ProblemError } from '../errors';

export function validate<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  problem: (detail: string) => ProblemError,
  /** Names the input itself when the issue has no path (e.g. "body"). */
  whole?: string,
): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = v.getDotPath(issue) ?? whole;
  throw problem(path ? `${path}: ${issue.message}` : issue.message);
}
