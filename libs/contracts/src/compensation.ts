import { z } from 'zod';

import { defineEvent, type EventOf } from './envelope';
import { JourneyRequestedPayloadSchema } from './intake/journey-requested.v1';

/** A domain confirms it undid its step: what it undid, read back from the target system. */
export const StepCompensatedPayloadSchema = z.object({
  step: z.string().min(1),
  undone: z.string().min(1),
  compensatedAt: z.iso.datetime({ offset: true }),
});

/** identity-domain disabled the account and removed its groups. */
export const AccountCompensatedV1 = defineEvent('identity.account.compensated.v1', StepCompensatedPayloadSchema);
export type AccountCompensatedV1 = EventOf<typeof AccountCompensatedV1>;

/** saas-domain revoked the app access and licences. */
export const AccessCompensatedV1 = defineEvent('saas.access.compensated.v1', StepCompensatedPayloadSchema);
export type AccessCompensatedV1 = EventOf<typeof AccessCompensatedV1>;

/** device-domain released the device back to stock. */
export const AssignmentCompensatedV1 = defineEvent('device.assignment.compensated.v1', StepCompensatedPayloadSchema);
export type AssignmentCompensatedV1 = EventOf<typeof AssignmentCompensatedV1>;

/** Assurance asks a step's owner to undo it (steps are undone one at a time, in reverse order). */
export const CompensationRequestedV1 = defineEvent(
  'assurance.compensation.requested.v1',
  z.object({
    step: z.string().min(1),
    owner: z.string().min(1),
    attempt: z.number().int().positive(),
    reason: z.string().min(1),
    request: JourneyRequestedPayloadSchema,
    evidence: z.record(z.string(), z.record(z.string(), z.unknown())),
  }),
);
export type CompensationRequestedV1 = EventOf<typeof CompensationRequestedV1>;

/** Every started step of a cancelled or failed journey was undone and confirmed. */
export const JourneyCompensatedV1 = defineEvent(
  'assurance.journey.compensated.v1',
  z.object({ steps: z.array(z.string()), reason: z.string().min(1), compensatedAt: z.iso.datetime({ offset: true }) }),
);
export type JourneyCompensatedV1 = EventOf<typeof JourneyCompensatedV1>;

/** Someone asked intake to cancel the journey. */
export const JourneyCancelRequestedV1 = defineEvent(
  'intake.journey.cancel-requested.v1',
  z.object({ requestedBy: z.string().min(1), reason: z.string().min(1) }),
);
export type JourneyCancelRequestedV1 = EventOf<typeof JourneyCancelRequestedV1>;
