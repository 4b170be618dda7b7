import { authConfigShape, checkAuthSettings } from '@closeloop/auth';
import { checkKafkaSecurity, commonConfigShape, portSetting } from '@closeloop/config';
import { z } from 'zod';

export const AssuranceConfigSchema = z
  .object({
    ...commonConfigShape,
    ...authConfigShape,
    PORT: portSetting(3004),
    /** How often assurance looks for steps past their deadline or due for a retry. */
    DEADLINE_SCAN_MS: z.coerce.number().int().min(50).max(60000).default(250),
  })
  .superRefine(checkAuthSettings)
  .superRefine(checkKafkaSecurity);
export type AssuranceConfig = z.infer<typeof AssuranceConfigSchema>;
export const ASSURANCE_CONFIG = Symbol('ASSURANCE_CONFIG');
