import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';
import { JourneyRequestedPayloadSchema } from '../intake/journey-requested.v1';

/**
 * Assurance asks the step's owner to try again. It carries the original request, so the owner
 * can act even if it never received it; the owner re-checks the target system first and does
 * only what is missing.
 */
export const StepRetryRequestedV1 = defineEvent(
  'assurance.step.retry-requested.v1',
  z.object({
    step: z.string().min(1),
    owner: z.string().min(1),
    attempt: z.number().int().min(2),
    reason: z.enum(['DEADLINE_MISSED', 'STEP_FAILED', 'OPERATOR']),
    request: JourneyRequestedPayloadSchema,
    /** The evidence of the steps verified so far, by signal topic (e.g. the account id). */
    evidence: z.record(z.string(), z.record(z.string(), z.unknown())),
  }),
);
export type StepRetryRequestedV1 = EventOf<typeof StepRetryRequestedV1>;
