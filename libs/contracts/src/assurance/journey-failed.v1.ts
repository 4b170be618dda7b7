import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';
import { StepFailureCodeSchema } from '../failure';

/** A step of the journey reported a failure: the journey needs the exception path. */
export const JourneyFailedV1 = defineEvent(
  'assurance.journey.failed.v1',
  z.object({
    step: z.string().min(1),
    code: StepFailureCodeSchema,
    reason: z.string().min(1),
    failedAt: z.iso.datetime({ offset: true }),
  }),
);
export type JourneyFailedV1 = EventOf<typeof JourneyFailedV1>;
