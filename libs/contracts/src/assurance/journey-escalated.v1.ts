import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

export const JourneyHistoryEntrySchema = z.object({
  at: z.iso.datetime({ offset: true }),
  what: z.string().min(1),
  detail: z.string(),
});

/** A step used up its attempts: the journey goes to a human work queue, with its whole history. */
export const JourneyEscalatedV1 = defineEvent(
  'assurance.journey.escalated.v1',
  z.object({
    step: z.string().min(1),
    attempts: z.number().int().positive(),
    reason: z.string().min(1),
    escalateTo: z.string().min(1),
    history: z.array(JourneyHistoryEntrySchema),
  }),
);
export type JourneyEscalatedV1 = EventOf<typeof JourneyEscalatedV1>;
