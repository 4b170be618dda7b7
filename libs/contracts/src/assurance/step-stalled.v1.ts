import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

/** A step's attempt missed its deadline: no verified or failed outcome arrived in time. */
export const StepStalledV1 = defineEvent(
  'assurance.step.stalled.v1',
  z.object({
    step: z.string().min(1),
    attempt: z.number().int().positive(),
    deadlineAt: z.iso.datetime({ offset: true }),
    detectedAt: z.iso.datetime({ offset: true }),
  }),
);
export type StepStalledV1 = EventOf<typeof StepStalledV1>;
