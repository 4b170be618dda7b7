import { z } from 'zod';

/**
 * Why a step failed. `VERIFICATION_MISMATCH`: the target reported success but the read-back
 * disagrees. `ACCOUNT_EXISTS`: the subject already has an account that this journey did not
 * create (another journey's, or one made outside Closeloop); a journey never takes it over, so
 * trying again cannot succeed until a person sorts it out.
 */
export const StepFailureCodeSchema = z.enum(['PROVISIONING_FAILED', 'VERIFICATION_MISMATCH', 'OUT_OF_STOCK', 'NOT_COMPLIANT', 'ACCOUNT_EXISTS']);
export type StepFailureCode = z.infer<typeof StepFailureCodeSchema>;

export const StepFailedPayloadSchema = z.object({
  step: z.string().min(1),
  /** Which attempt failed: 1 for the first, the retry request's attempt for a retry. */
  attempt: z.number().int().positive().default(1),
  code: StepFailureCodeSchema,
  reason: z.string().min(1),
  failedAt: z.iso.datetime({ offset: true }),
});
