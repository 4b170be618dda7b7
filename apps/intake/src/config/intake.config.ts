import { authConfigShape, checkAuthSettings } from '@closeloop/auth';
import { checkKafkaSecurity, commonConfigShape, portSetting } from '@closeloop/config';
import { z } from 'zod';

import { policyConfigShape } from './policy.config';
import { upstreamConfigShape } from './upstream.config';

export const IntakeConfigSchema = z
  .object({ ...commonConfigShape, ...authConfigShape, ...policyConfigShape, ...upstreamConfigShape, PORT: portSetting(3000) })
  .superRefine(checkAuthSettings)
  .superRefine(checkKafkaSecurity);
export type IntakeConfig = z.infer<typeof IntakeConfigSchema>;
export const INTAKE_CONFIG = Symbol('INTAKE_CONFIG');
