import { type z } from 'zod';

import type { EventContract, EventOf } from './envelope';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Formats zod issues as `path: message; path: message`, naming every bad field. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');

/** Validates a decoded message against a contract, without throwing. */
export const parseEvent = <C extends EventContract>(contract: C, raw: unknown): ParseResult<EventOf<C>> => {
  const result = contract.schema.safeParse(raw);
  return result.success
    ? { ok: true, value: result.data as EventOf<C> }
    : { ok: false, error: `${contract.topic}: ${describeIssues(result.error)}` };
};
