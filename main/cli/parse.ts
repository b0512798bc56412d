import type { z } from 'zod';
import { VitrineError } from '../common/errors';

/** Parse with a request's schema; a failure names the CLI option instead of the field. */
export function parseOrExplain<S extends z.ZodType>(schema: S, value: unknown, flags: Record<string, string>, hint: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      const flag = flags[path] ?? flags[String(issue.path[0] ?? '')];
      return flag ? `${flag}: ${issue.message}` : issue.message;
    })
    .join('; ');
  throw new VitrineError({ kind: 'invalid-argument', message, hint });
}
