import { commonConfigShape, portSetting } from '@closeloop/config';
import { z } from 'zod';

import { authConfigShape, checkAuthSettings } from './auth.config';
import { policyConfigShape } from './policy.config';
import { upstreamConfigShape } from './upstream.config';

export const IntakeConfigSchema = z.object({ ...commonConfigShape, ...authConfigShape, ...policyConfigShape, ...upstreamConfigShape, PORT: portSetting(3000) }).superRefine(checkAuthSettings);
export type IntakeConfig = z.infer<typeof IntakeConfigSchema>;
export const INTAKE_CONFIG = Symbol('INTAKE_CONFIG');
