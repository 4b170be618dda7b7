import { z } from 'zod';

/** Where intake reads its access policy from at start-up (relative to the working directory). */
export const policyConfigShape = {
  POLICY_FILE: z.string().min(1).default('apps/intake/policy/access-policy.yaml'),
  /** How often intake looks for approval tasks due a reminder or past their deadline. */
  APPROVAL_SCAN_MS: z.coerce.number().int().min(50).max(60000).default(500),
};
