import type { z } from 'zod';
import { HttpError } from './errors';

/** Validates a query string; a bad parameter becomes a 400 that names it and says what was expected. */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const source = (query ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(source)) {
    if (Array.isArray(value))
      throw new HttpError(400, 'invalid_parameter', `"${name}" was given more than once; give it once`, name);
  }
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const parameter = String(issue.path[0] ?? '');
  throw new HttpError(400, 'invalid_parameter', `"${parameter}" ${issue.message}`, parameter);
}
