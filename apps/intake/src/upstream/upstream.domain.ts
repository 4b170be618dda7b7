import { describeIssues, type JourneyRequest, JourneyRequestSchema } from '@closeloop/contracts';
import type { z } from 'zod';

/** The upstream systems intake takes journey requests from; each is the `requestedBy` of its journeys. */
export type UpstreamSource = 'workday' | 'servicenow';

/**
 * What to do with one upstream record: start a journey (idempotently, keyed by the record's
 * upstream ID), nothing (a valid record that needs no journey), or refuse it (dead-lettered with
 * the reason).
 */
export type UpstreamDecision =
  | { readonly kind: 'start'; readonly record: string; readonly idempotencyKey: string; readonly request: JourneyRequest }
  | { readonly kind: 'nothing-to-do'; readonly record: string; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string };

export const refused = (reason: string): UpstreamDecision => ({ kind: 'refused', reason });

/** The record's JSON, or why it is not JSON. */
export const parseJson = (text: string): { ok: true; value: unknown } | { ok: false; error: string } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
};

/** Validates a record against its upstream contract; the error names every bad field. */
export const parseRecord = <S extends z.ZodType>(schema: S, topic: string, text: string): { ok: true; value: z.infer<S> } | { ok: false; reason: string } => {
  const json = parseJson(text);
  if (!json.ok) return { ok: false, reason: `not JSON: ${json.error}` };
  const result = schema.safeParse(json.value);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: `does not match ${topic}: ${describeIssues(result.error)}` };
};

/**
 * The journey request a record maps to, validated as intake validates an HTTP request: a record
 * whose data make an invalid request (a display name too long, an access change with nothing to
 * change) is refused with the request's problems.
 */
export const startJourney = (record: string, idempotencyKey: string, candidate: unknown): UpstreamDecision => {
  const result = JourneyRequestSchema.safeParse(candidate);
  return result.success
    ? { kind: 'start', record, idempotencyKey, request: result.data }
    : refused(`${record}: the journey request it maps to is invalid: ${describeIssues(result.error)}`);
};
