import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

export const VerificationSignalSchema = z.object({
  signal: z.string().min(1),
  eventId: z.uuid(),
  at: z.iso.datetime({ offset: true }),
  evidence: z.record(z.string(), z.unknown()),
});
export type VerificationSignal = z.infer<typeof VerificationSignalSchema>;

/** Every verification signal of the journey's definition of done has arrived. */
export const OutcomeConfirmedV1 = defineEvent(
  'assurance.outcome.confirmed.v1',
  z.object({
    definitionVersion: z.number().int().positive(),
    signals: z.array(VerificationSignalSchema).min(1),
    startedAt: z.iso.datetime({ offset: true }),
    confirmedAt: z.iso.datetime({ offset: true }),
    durationMs: z.number().int().nonnegative(),
  }),
);
export type OutcomeConfirmedV1 = EventOf<typeof OutcomeConfirmedV1>;
